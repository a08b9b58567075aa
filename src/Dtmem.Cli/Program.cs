namespace Dtmem.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("dtmem: not wired yet");
        return args.Length == 0 ? 2 : 2;
    }
}
