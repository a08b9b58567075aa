using Dtmem.DeviceTree.Model;
using Dtmem.Layout.Checks;
using Dtmem.Layout.Inputs;
using Dtmem.Layout.Model;
using Dtmem.Layout.Tests.Support;

namespace Dtmem.Layout.Tests.Checks;

internal static class CheckHarness
{
    public const ulong MiB = 1 << 20;

    public static BootResult Boot(TreeBuilder t, KernelFacts k, LayoutOverrides? o = null) => BootSimulator.Run(t.Input(k, o));

    /// <summary>The findings of one check (looked up by ID) for this tree and kernel.</summary>
    public static List<Finding> Run(string id, TreeBuilder t, KernelFacts k, LayoutOverrides? o = null) =>
        CheckRegistry.Find(id)!.Run(Boot(t, k, o)).ToList();

    public static SourceSpan? Span(TreeBuilder t, string path, string property) => t.Tree.Find(path)!.Property(property)!.Span;

    /// <summary>2 GiB of RAM at 0, 2/2 cells: the usual test board.</summary>
    public static TreeBuilder Board() => new TreeBuilder().Memory(0, 0x80000000);
}
