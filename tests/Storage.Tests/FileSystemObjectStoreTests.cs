namespace Orleans.Loki.Storage.Tests;

public sealed class FileSystemObjectStoreTests : ObjectStoreContractTests
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "loki-store-tests", Guid.NewGuid().ToString("N"));

    protected override Task<IObjectStore> CreateStoreAsync() => Task.FromResult<IObjectStore>(new FileSystemObjectStore(_root));

    protected override IObjectStore ReopenStore() => new FileSystemObjectStore(_root);

    protected override Task DeleteStoreAsync()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task Put_MapsKeySegmentsToDirectoriesAndLeavesNoTemporaryFiles()
    {
        await Store.PutAsync("fake/chunks/s1/obj", "x"u8.ToArray());
        await Store.PutAsync("fake/chunks/s1/obj", "y"u8.ToArray());

        Assert.Equal("y", File.ReadAllText(Path.Combine(_root, "fake", "chunks", "s1", "obj")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_root, ".staging")));
    }

    [Fact]
    public async Task Delete_RemovesDirectoriesLeftEmpty()
    {
        await Store.AppendAsync("fake/wal/s1/1", "x"u8.ToArray());
        await Store.AppendAsync("fake/wal/s2/1", "x"u8.ToArray());

        await Store.DeleteAsync("fake/wal/s1/1");

        Assert.False(Directory.Exists(Path.Combine(_root, "fake", "wal", "s1")));
        Assert.True(Directory.Exists(Path.Combine(_root, "fake", "wal", "s2")));
    }

    [Fact]
    public async Task List_IgnoresForeignFilesWithInvalidNames()
    {
        await Store.PutAsync("a/b", "x"u8.ToArray());
        File.WriteAllText(Path.Combine(_root, "a", ".DS_Store"), "junk");
        File.WriteAllText(Path.Combine(_root, ".staging", "leftover"), "junk");

        Assert.Equal(["a/b"], await ListKeys(""));
    }

    [Fact]
    public async Task Get_KeyThatIsADirectoryOfOtherKeys_ReturnsNull()
    {
        await Store.PutAsync("a/b/c", "x"u8.ToArray());

        Assert.Null(await Store.GetAsync("a/b"));
        Assert.Null(await Store.GetRangeAsync("a/b", 0, 1));
        Assert.False(await Store.DeleteAsync("a/b"));
    }
}
