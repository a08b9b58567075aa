namespace Dtmem.Layout.Tests;

public class ProjectLoads
{
    [Fact]
    public void AssemblyIsReferenced() => Assert.NotNull(typeof(ProjectLoads).Assembly);
}
