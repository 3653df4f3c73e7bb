using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Orleans.Loki.Gateway.Tail;
using Orleans.Loki.LogQL.Engine;
using LogEntry = Orleans.Loki.Chunks.LogEntry;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>The gateway side of a tail without a cluster: pipeline, ordering, delay_for, overflow and the message shape.</summary>
public sealed class TailSessionTests
{
    private const long Second = 1_000_000_000L;
    private const long T0 = 1_700_000_000L * Second;

    private static TailSession Session(string query, long delayNs = 0) =>
        new(PipelineBuilder.Build(LogQLParser.ParseLogSelector(query)), delayNs);

    private static List<LogEntry> Entries(params (long Ts, string Line)[] entries) =>
        [.. entries.Select(e => new LogEntry(e.Ts, Encoding.UTF8.GetBytes(e.Line), null))];

    [Fact]
    public void Accept_AppliesThePipeline_AndFramesEntriesInTimestampOrderAcrossStreams()
    {
        var session = Session("{app=\"a\"} |= \"keep\" | logfmt | line_format \"{{.level}} {{.msg}}\"");
        session.Accept("{app=\"a\", pod=\"2\"}", Entries((T0 + 3, "level=warn msg=third keep"), (T0 + 4, "level=info msg=dropped")));
        session.Accept("{app=\"a\", pod=\"1\"}", Entries((T0 + 1, "level=info msg=first keep"), (T0 + 2, "level=error msg=second keep")));

        var frame = session.TakeFrame(T0 + 10 * Second, out var nextDue);

        Assert.NotNull(frame);
        Assert.Null(nextDue);
        Assert.Equal([(T0 + 1, "info first"), (T0 + 2, "error second"), (T0 + 3, "warn third")], frame.Lines.Select(l => (l.TimestampNs, l.Line)));
        Assert.Equal("{app=\"a\", level=\"info\", msg=\"first\", pod=\"1\"}", frame.Lines[0].LabelsKey);
        Assert.Empty(frame.Dropped);
        Assert.Null(session.TakeFrame(T0 + 10 * Second, out _));
    }

    [Fact]
    public void TakeFrame_WithDelayFor_HoldsAnEntryUntilItIsThatOld()
    {
        var session = Session("{app=\"a\"}", delayNs: 2 * Second);
        session.Accept("{app=\"a\"}", Entries((T0, "held")));

        Assert.Null(session.TakeFrame(T0 + Second, out var nextDue));
        Assert.Equal(T0 + 2 * Second, nextDue);
        var frame = session.TakeFrame(T0 + 2 * Second, out _);
        Assert.Equal("held", Assert.Single(frame!.Lines).Line);
    }

    [Fact]
    public void Accept_BeyondTheBuffer_RecordsDroppedEntries_ReportedWithTheNextFrameOnly()
    {
        var session = Session("{app=\"a\"}");
        var total = TailSession.BufferCapacity + 5;
        session.Accept("{app=\"a\"}", Entries([.. Enumerable.Range(0, total).Select(i => (T0 + i, $"line {i}"))]));

        var first = session.TakeFrame(T0 + Second, out _)!;
        Assert.Equal(TailSession.MaxEntriesPerFrame, first.Lines.Count);
        Assert.Equal("line 0", first.Lines[0].Line);
        Assert.Equal(Enumerable.Range(TailSession.BufferCapacity, 5).Select(i => T0 + i), first.Dropped.Select(d => d.TimestampNs));
        Assert.All(first.Dropped, d => Assert.Equal([new KeyValuePair<string, string>("app", "a")], d.Labels));

        var sent = first.Lines.Count;
        while (session.TakeFrame(T0 + Second, out _) is { } next)
        {
            Assert.Empty(next.Dropped);
            sent += next.Lines.Count;
        }
        Assert.Equal(TailSession.BufferCapacity, sent);
    }

    [Fact]
    public void MarkReplayed_LiveCopiesOfReplayedEntriesAreNotSentTwice()
    {
        var session = Session("{app=\"a\"}");
        session.Accept("{app=\"a\"}", Entries((T0 + 1, "replayed and live"), (T0 + 2, "live only")));
        session.MarkReplayed([new TailLine(T0 + 1, "{app=\"a\"}", [new("app", "a")], "replayed and live")]);
        session.Accept("{app=\"a\"}", Entries((T0 + 1, "replayed and live"), (T0 + 3, "later")));

        var frame = session.TakeFrame(T0 + Second, out _)!;
        Assert.Equal(["live only", "later"], frame.Lines.Select(l => l.Line));
    }

    [Fact]
    public void FrameWriter_WritesLokisTailMessage_GroupingConsecutiveEntriesOfOneStream()
    {
        KeyValuePair<string, string>[] a = [new("app", "a")];
        KeyValuePair<string, string>[] b = [new("app", "b")];
        var frame = new TailFrame(
            [new TailLine(1, "{app=\"a\"}", a, "one"), new TailLine(2, "{app=\"a\"}", a, "two \"q\""), new TailLine(3, "{app=\"b\"}", b, "three")],
            [new DroppedEntry(5, b)]);

        Assert.Equal(
            """{"streams":[{"stream":{"app":"a"},"values":[["1","one"],["2","two \u0022q\u0022"]]},{"stream":{"app":"b"},"values":[["3","three"]]}],"dropped_entries":[{"timestamp":"5","labels":{"app":"b"}}]}""",
            Encoding.UTF8.GetString(TailFrameWriter.Write(frame)));
        Assert.Equal("""{"streams":[{"stream":{"app":"a"},"values":[["1","one"]]}]}""",
            Encoding.UTF8.GetString(TailFrameWriter.Write(new TailFrame([frame.Lines[0]], []))));
    }

    [Theory]
    [InlineData("delay_for=6", "delay_for can't be greater than 5")]
    [InlineData("delay_for=-1", "delay_for can't be greater than 5")]
    [InlineData("delay_for=x", "strconv.Atoi: parsing \"x\": invalid syntax")]
    [InlineData("limit=0", "limit must be a positive value")]
    [InlineData("limit=ten", "strconv.Atoi: parsing \"ten\": invalid syntax")]
    [InlineData("limit=99999999999", "limit value 99999999999 is out of range [0, 4294967295]")]
    [InlineData("limit=99999999999999999999", "strconv.Atoi: parsing \"99999999999999999999\": value out of range")]
    [InlineData("start=yesterday", "could not parse 'start' parameter: strconv.ParseInt: parsing \"yesterday\": invalid syntax")]
    public void Request_BadParameter_IsRefusedWithLokisText(string parameter, string expected)
    {
        var (name, value) = (parameter.Split('=')[0], parameter.Split('=')[1]);
        var query = new QueryCollection(new Dictionary<string, StringValues> { ["query"] = "{app=\"a\"}", [name] = value });

        Assert.False(TailRequest.TryParse(query, T0, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Request_Defaults_AreLimit100_StartAnHourAgo_NoDelay()
    {
        var query = new QueryCollection(new Dictionary<string, StringValues> { ["query"] = "{app=\"a\"} |= \"x\"" });

        Assert.True(TailRequest.TryParse(query, T0, out var request, out _));
        Assert.Equal((100, T0 - 3600 * Second, 0), (request.Limit, request.StartNs, request.DelayForSeconds));
    }
}
