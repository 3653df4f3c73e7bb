using Orleans.Loki.Silo.Configuration;

namespace Orleans.Loki.Server.Tests;

/// <summary>The README lists every config key the loader accepts.</summary>
public sealed class ReadmeTests
{
    [Fact]
    public void Readme_NamesEverySupportedConfigKey()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Orleans.Loki.sln")))
        {
            dir = dir.Parent;
        }
        Assert.NotNull(dir);
        var readme = File.ReadAllText(Path.Combine(dir.FullName, "README.md"));
        var missing = ConfigLoader.SupportedKeys.Where(k => !readme.Contains(k[(k.LastIndexOf('.') + 1)..], StringComparison.Ordinal)).ToList();
        Assert.Empty(missing);
    }
}
