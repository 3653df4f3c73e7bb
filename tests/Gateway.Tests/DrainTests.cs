using Orleans.Loki.Gateway.Patterns;

namespace Orleans.Loki.Gateway.Tests;

public sealed class DrainTests
{
    private static List<string> Patterns(params string[] lines)
    {
        var drain = new Drain(new DrainOptions());
        for (var i = 0; i < lines.Length; i++)
        {
            drain.Train(lines[i], i);
        }
        return [.. drain.Clusters.Select(c => c.Pattern()).Order(StringComparer.Ordinal)];
    }

    [Fact]
    public void LogfmtLines_OfTwoKinds_BecomeTwoPatterns_WithVaryingValuesAsPlaceholders()
    {
        var patterns = Patterns(
            "level=info msg=\"request done\" status=200 duration=15ms path=/api/users",
            "level=error msg=\"db failed\" err=timeout retries=3",
            "level=info msg=\"request done\" status=500 duration=25ms path=/api/items",
            "level=error msg=\"db failed\" err=refused retries=5",
            "level=info msg=\"request done\" status=404 duration=3ms path=/api/users");

        Assert.Equal(
            [
                "level=error msg=\"db failed\" err=<_> retries=<_>",
                "level=info msg=\"request done\" status=<_> duration=<_> path=<_>",
            ],
            patterns);
    }

    [Fact]
    public void JsonLines_KeepKeysAndQuotes_AndVaryOnlyTheValue()
    {
        var patterns = Patterns(
            "{\"level\":\"info\",\"msg\":\"hello\",\"user\":\"a1\"}",
            "{\"level\":\"info\",\"msg\":\"hello\",\"user\":\"b2\"}");

        Assert.Equal(["{\"level\":\"info\",\"msg\":\"hello\",\"user\":\"<_>\"}"], patterns);
    }

    [Fact]
    public void PlaceholdersJoinedOnlyByDelimiters_CollapseIntoOne()
    {
        Assert.Equal(["took <_> to finish"], Patterns("took 1:02:03 to finish", "took 4:05:06 to finish"));
    }

    [Fact]
    public void LinesOfDifferentShape_NeverShareAPattern()
    {
        var patterns = Patterns("connection from 10.0.0.1 closed", "connection from 10.0.0.2 closed by peer");

        Assert.Equal(["connection from 10.0.0.1 closed", "connection from 10.0.0.2 closed by peer"], patterns);
    }

    [Fact]
    public void DissimilarLinesOfTheSameShape_StaySeparate()
    {
        var patterns = Patterns("user alice logged in", "disk sda1 almost full");

        Assert.Equal(["disk sda1 almost full", "user alice logged in"], patterns);
    }

    [Fact]
    public void SameKeysDifferentMessages_StaySeparate_WhileNumbersVaryFreely()
    {
        var patterns = Patterns(
            "level=info msg=\"cache miss\" status=200 duration=3ms user=u1 path=/a/1",
            "level=info msg=\"user login\" status=201 duration=9ms user=u2 path=/a/2",
            "level=info msg=\"cache miss\" status=404 duration=5ms user=u3 path=/a/3",
            "level=info msg=\"user login\" status=201 duration=7ms user=u4 path=/a/4");

        Assert.Equal(
            [
                "level=info msg=\"cache miss\" status=<_> duration=<_> user=<_> path=<_>",
                "level=info msg=\"user login\" status=201 duration=<_> user=<_> path=<_>",
            ],
            patterns);
    }

    [Fact]
    public void Cluster_CountsEveryLineItTook()
    {
        var drain = new Drain(new DrainOptions());
        drain.Train("GET /a 200 5ms", 1);
        drain.Train("GET /b 200 7ms", 2);
        drain.Train("GET /c 200 9ms", 3);

        var cluster = Assert.Single(drain.Clusters);
        Assert.Equal("GET <_> 200 <_>", cluster.Pattern());
        Assert.Equal([1L, 2L, 3L], cluster.Timestamps);
    }

    [Fact]
    public void BeyondMaxClusters_NewKindsOfLineAreNotClustered()
    {
        var drain = new Drain(new DrainOptions { MaxClusters = 1 });

        Assert.NotNull(drain.Train("alpha beta gamma", 1));
        Assert.Null(drain.Train("one two three four", 2));
        Assert.NotNull(drain.Train("alpha beta gamma", 3));
        Assert.Single(drain.Clusters);
    }

    [Fact]
    public void Tokenizer_SplitsDelimitersAndRemembersSpacing()
    {
        var tokens = LineTokenizer.Tokenize("a=1  b=\"x y\"");

        Assert.Equal(
            [("a", false), ("=", false), ("1", false), ("b", true), ("=", false), ("\"", false), ("x", false), ("y", true), ("\"", false)],
            tokens.Select(t => (t.Text, t.SpaceBefore)).ToList());
    }
}
