using System.Text;

namespace Orleans.Loki.Storage.Tests;

/// <summary>The behaviour every <see cref="IObjectStore"/> must have; each implementation runs all of it.</summary>
public abstract class ObjectStoreContractTests : IAsyncLifetime
{
    private IObjectStore? _store;

    protected IObjectStore Store => _store ?? throw new InvalidOperationException("not initialised");

    public static TheoryData<string> InvalidKeys =>
    [
        "",
        "/absolute",
        "a//b",
        "a/",
        "a/../b",
        "..",
        "a/./b",
        ".hidden",
        "a/trailing.",
        "back\\slash",
        "co:lon",
        "nul\0char",
        "new\nline",
        "wild*card",
        new string('x', 1025),
        "a/" + new string('y', 256),
    ];

    /// <summary>A fresh, empty store for one test.</summary>
    protected abstract Task<IObjectStore> CreateStoreAsync();

    /// <summary>A second, independent store instance over the same data (to prove durability and no caching).</summary>
    protected abstract IObjectStore ReopenStore();

    protected abstract Task DeleteStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => DeleteStoreAsync();

    [Fact]
    public async Task Put_ThenGet_ReturnsTheBytes()
    {
        await Store.PutAsync("fake/chunks/s1/1-2-abc", "hello chunk"u8.ToArray());

        Assert.Equal("hello chunk"u8.ToArray(), await Store.GetAsync("fake/chunks/s1/1-2-abc"));
        Assert.Equal("hello chunk"u8.ToArray(), await ReopenStore().GetAsync("fake/chunks/s1/1-2-abc"));
    }

    [Fact]
    public async Task Put_Existing_ReplacesWholeContent()
    {
        await Store.PutAsync("k", new byte[1000]);
        await Store.PutAsync("k", "short"u8.ToArray());

        Assert.Equal("short"u8.ToArray(), await Store.GetAsync("k"));
    }

    [Fact]
    public async Task Put_Empty_StoresEmptyObject()
    {
        await Store.PutAsync("empty", ReadOnlyMemory<byte>.Empty);

        Assert.Equal(Array.Empty<byte>(), await Store.GetAsync("empty"));
    }

    [Fact]
    public async Task Put_ReplacedWhileRead_ReadersSeeOldOrNewNeverPartial()
    {
        var a = Enumerable.Repeat((byte)'a', 256 * 1024).ToArray();
        var b = Enumerable.Repeat((byte)'b', 512 * 1024).ToArray();
        await Store.PutAsync("index/day/0", a);

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                await Store.PutAsync("index/day/0", i % 2 == 0 ? b : a);
            }
        });
        var reads = 0;
        while (!writer.IsCompleted || reads < 5)
        {
            var read = await Store.GetAsync("index/day/0");
            Assert.NotNull(read);
            Assert.True(read.AsSpan().SequenceEqual(a) || read.AsSpan().SequenceEqual(b), $"partial read of {read.Length} bytes");
            reads++;
        }

        await writer;
    }

    [Fact]
    public async Task Get_Missing_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync("missing/key"));
        Assert.Null(await Store.GetRangeAsync("missing/key", 0, 10));
    }

    [Fact]
    public async Task ReadRange_FillsTheCallersBuffer_ClampsAtEnd_AndTellsAbsentApart()
    {
        await Store.PutAsync("rr", "0123456789"u8.ToArray());
        var buffer = new byte[12];

        Assert.Equal(4, await Store.ReadRangeAsync("rr", 2, buffer.AsMemory(1, 4)));
        Assert.Equal("\02345\0"u8.ToArray(), buffer[..6]);
        Assert.Equal(3, await Store.ReadRangeAsync("rr", 7, buffer));
        Assert.Equal("789"u8.ToArray(), buffer[..3]);
        Assert.Equal(10, await Store.ReadRangeAsync("rr", 0, buffer.AsMemory(0, 11)));
        Assert.Equal(0, await Store.ReadRangeAsync("rr", 10, buffer));
        Assert.Equal(-1, await Store.ReadRangeAsync("missing/key", 0, buffer));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.ReadRangeAsync("rr", -1, buffer));
    }

    [Fact]
    public async Task GetRange_ReturnsSliceAndClampsAtEnd()
    {
        await Store.PutAsync("r", "0123456789"u8.ToArray());

        Assert.Equal("2345"u8.ToArray(), await Store.GetRangeAsync("r", 2, 4));
        Assert.Equal("789"u8.ToArray(), await Store.GetRangeAsync("r", 7, 100));
        Assert.Equal(Array.Empty<byte>(), await Store.GetRangeAsync("r", 10, 5));
        Assert.Equal(Array.Empty<byte>(), await Store.GetRangeAsync("r", 50, 5));
        Assert.Equal(Array.Empty<byte>(), await Store.GetRangeAsync("r", 3, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.GetRangeAsync("r", -1, 5));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Store.GetRangeAsync("r", 0, -5));
    }

    [Fact]
    public async Task Append_CreatesThenAppends_AndIsVisibleToAFreshInstance()
    {
        await Store.AppendAsync("fake/wal/s1/000001", "first,"u8.ToArray());
        await Store.AppendAsync("fake/wal/s1/000001", "second,"u8.ToArray());
        await Store.AppendAsync("fake/wal/s1/000001", "third"u8.ToArray());

        Assert.Equal("first,second,third"u8.ToArray(), await ReopenStore().GetAsync("fake/wal/s1/000001"));
        Assert.Equal("second"u8.ToArray(), await Store.GetRangeAsync("fake/wal/s1/000001", 6, 6));
    }

    [Fact]
    public async Task Append_FromTwoInstancesInTurn_ConcatenatesInOrder()
    {
        var other = ReopenStore();

        await Store.AppendAsync("wal/moved", "a"u8.ToArray());
        await other.AppendAsync("wal/moved", "b"u8.ToArray());
        await Store.AppendAsync("wal/moved", "c"u8.ToArray());
        Assert.Equal("abc"u8.ToArray(), await other.GetAsync("wal/moved"));
        await Store.DeleteAsync("wal/moved");
        await other.AppendAsync("wal/moved", "d"u8.ToArray());
        await Store.AppendAsync("wal/moved", "e"u8.ToArray());

        Assert.Equal("de"u8.ToArray(), await Store.GetAsync("wal/moved"));
    }

    [Fact]
    public async Task Append_Empty_CreatesEmptyObject()
    {
        await Store.AppendAsync("wal/empty", ReadOnlyMemory<byte>.Empty);

        Assert.Equal(Array.Empty<byte>(), await Store.GetAsync("wal/empty"));
        await Store.AppendAsync("wal/empty", "x"u8.ToArray());
        Assert.Equal("x"u8.ToArray(), await Store.GetAsync("wal/empty"));
    }

    [Fact]
    public async Task Append_LargerThanOneAppendBlock_StoresExactBytesInOrder()
    {
        var random = new Random(5);
        var big = new byte[(9 * 1024 * 1024) + 123];
        random.NextBytes(big);
        var small = "tail"u8.ToArray();

        await Store.AppendAsync("wal/big", "head"u8.ToArray());
        await Store.AppendAsync("wal/big", big.AsMemory(1, big.Length - 1));
        await Store.AppendAsync("wal/big", small);

        var expected = "head"u8.ToArray().Concat(big.Skip(1)).Concat(small).ToArray();
        var actual = await Store.GetAsync("wal/big");
        Assert.NotNull(actual);
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.AsSpan().SequenceEqual(actual), "appended content differs");
    }

    [Fact]
    public async Task List_ByPrefix_IsStringPrefixOrderedOrdinal()
    {
        string[] keys = ["t/chunks/s1/2", "t/chunks/s1/10", "t/chunks/s10/1", "t/chunksX", "t/wal/s1/1", "u/x", "T/upper"];
        foreach (var key in keys)
        {
            await Store.PutAsync(key, Encoding.UTF8.GetBytes(key));
        }

        Assert.Equal(["t/chunks/s1/10", "t/chunks/s1/2", "t/chunks/s10/1"], await ListKeys("t/chunks/s1"));
        Assert.Equal(["t/chunks/s1/10", "t/chunks/s1/2"], await ListKeys("t/chunks/s1/"));
        Assert.Equal(["t/chunks/s1/10", "t/chunks/s1/2", "t/chunks/s10/1", "t/chunksX"], await ListKeys("t/chunks"));
        Assert.Equal(["T/upper", "t/chunks/s1/10", "t/chunks/s1/2", "t/chunks/s10/1", "t/chunksX", "t/wal/s1/1", "u/x"], await ListKeys(""));
        Assert.Empty(await ListKeys("nothing/here"));
        Assert.Empty(await ListKeys("t/chunks/s2"));
    }

    [Fact]
    public async Task List_ReportsSizeAndLastModified()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await Store.PutAsync("sized/a", new byte[123]);
        await Store.AppendAsync("sized/b", new byte[45]);

        var infos = await ListAll("sized/");

        Assert.Equal(["sized/a", "sized/b"], infos.Select(i => i.Key));
        Assert.Equal([123L, 45L], infos.Select(i => i.Size));
        Assert.All(infos, i => Assert.InRange(i.LastModified, before, DateTimeOffset.UtcNow.AddMinutes(5)));
    }

    [Fact]
    public async Task Delete_Existing_ReturnsTrueOnceAndRemovesIt()
    {
        await Store.PutAsync("d/one", "1"u8.ToArray());
        await Store.AppendAsync("d/two", "2"u8.ToArray());

        Assert.True(await Store.DeleteAsync("d/one"));
        Assert.False(await Store.DeleteAsync("d/one"));
        Assert.True(await Store.DeleteAsync("d/two"));

        Assert.Null(await Store.GetAsync("d/one"));
        Assert.Null(await Store.GetAsync("d/two"));
        Assert.Empty(await ListKeys("d/"));
    }

    [Fact]
    public async Task Delete_Missing_ReturnsFalse()
    {
        Assert.False(await Store.DeleteAsync("never/existed"));
    }

    [Fact]
    public async Task Delete_ThenPutSameKey_Works()
    {
        await Store.PutAsync("x/y/z", "1"u8.ToArray());
        await Store.DeleteAsync("x/y/z");
        await Store.PutAsync("x/y/z", "2"u8.ToArray());

        Assert.Equal("2"u8.ToArray(), await Store.GetAsync("x/y/z"));
    }

    [Theory]
    [MemberData(nameof(InvalidKeys))]
    public async Task InvalidKey_IsRejectedByEveryMethod(string key)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.PutAsync(key, new byte[1]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.GetAsync(key));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.GetRangeAsync(key, 0, 1));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.AppendAsync(key, new byte[1]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Store.DeleteAsync(key));
    }

    [Theory]
    [InlineData("/abs")]
    [InlineData("a//")]
    [InlineData("../")]
    [InlineData("a\\")]
    public async Task InvalidPrefix_IsRejected(string prefix)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await ListKeys(prefix));
    }

    [Fact]
    public async Task Keys_WithUnicodeAndPunctuation_RoundTrip()
    {
        const string key = "tenant-ü/chunks/{app=x}/17_00-18 00@#=,+";

        await Store.PutAsync(key, "u"u8.ToArray());

        Assert.Equal("u"u8.ToArray(), await Store.GetAsync(key));
        Assert.Equal([key], await ListKeys("tenant-ü/"));
    }

    protected async Task<List<string>> ListKeys(string prefix) => (await ListAll(prefix)).Select(i => i.Key).ToList();

    protected async Task<List<ObjectInfo>> ListAll(string prefix)
    {
        var result = new List<ObjectInfo>();
        await foreach (var info in Store.ListAsync(prefix))
        {
            result.Add(info);
        }

        return result;
    }
}
