using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log.Tests;

public sealed class LabelStageTests
{
    private static LabelMatcher M(string name, LabelMatchType t, string v)
    {
        Assert.True(LabelMatcher.TryCreate(t, name, v, out var m, out var error), error);
        return m!;
    }

    private static (bool Kept, string Labels) Filter(LabelFilter f, params (string, string)[] labels)
    {
        var (kept, _, l) = Run.Stages("line", [f], Run.Labels(labels));
        return (kept, l);
    }

    [Theory]
    [InlineData(LabelMatchType.Equal, "GET", true)]
    [InlineData(LabelMatchType.NotEqual, "GET", false)]
    [InlineData(LabelMatchType.Regexp, "G.*", true)]
    [InlineData(LabelMatchType.Regexp, "E", false)]
    [InlineData(LabelMatchType.NotRegexp, "P.*", true)]
    public void StringFilter_RegexIsFullyAnchored(LabelMatchType type, string value, bool expected) =>
        Assert.Equal(expected, Filter(LabelFilter.String(M("method", type, value)), ("method", "GET")).Kept);

    [Fact]
    public void StringFilter_MissingLabelComparesAsEmpty() =>
        Assert.True(Filter(LabelFilter.String(M("nope", LabelMatchType.Equal, "")), ("a", "1")).Kept);

    [Theory]
    [InlineData(ComparisonOperator.GreaterOrEqual, 400, "404", true)]
    [InlineData(ComparisonOperator.Less, 400, "404", false)]
    [InlineData(ComparisonOperator.Equal, 1.5, "1.50", true)]
    [InlineData(ComparisonOperator.NotEqual, 1, "1e0", false)]
    public void NumericFilter_ComparesAsFloat(ComparisonOperator op, double value, string label, bool expected) =>
        Assert.Equal(expected, Filter(LabelFilter.Numeric("status", op, value), ("status", label)).Kept);

    [Fact]
    public void NumericFilter_ConversionFailure_SetsLabelFilterErrAndKeepsLine()
    {
        var (kept, labels) = Filter(LabelFilter.Numeric("status", ComparisonOperator.Greater, 1), ("status", "abc"));
        Assert.True(kept);
        Assert.Equal("""{__error__="LabelFilterErr", __error_details__="strconv.ParseFloat: parsing \"abc\": invalid syntax", status="abc"}""", labels);
    }

    [Fact]
    public void NumericFilter_MissingLabelDropsLine() =>
        Assert.False(Filter(LabelFilter.Numeric("x", ComparisonOperator.Greater, 1), ("a", "1")).Kept);

    [Theory]
    [InlineData("1m30s", ComparisonOperator.Greater, 60_000_000_000L, true)]
    [InlineData("250ms", ComparisonOperator.GreaterOrEqual, 1_000_000_000L, false)]
    [InlineData("1.5h", ComparisonOperator.Equal, 5_400_000_000_000L, true)]
    public void DurationFilter_ParsesGoDurations(string value, ComparisonOperator op, long ns, bool expected) =>
        Assert.Equal(expected, Filter(LabelFilter.Duration("d", op, ns), ("d", value)).Kept);

    [Fact]
    public void DurationFilter_InvalidValue_SetsError()
    {
        var (kept, labels) = Filter(LabelFilter.Duration("d", ComparisonOperator.Greater, 1), ("d", "5"));
        Assert.True(kept);
        Assert.Contains("time: missing unit in duration \\\"5\\\"", labels);
    }

    [Theory]
    [InlineData("20MB", ComparisonOperator.Greater, 19_999_999UL, true)]
    [InlineData("1KiB", ComparisonOperator.Equal, 1024UL, true)]
    [InlineData("1 kb", ComparisonOperator.Equal, 1000UL, true)]
    [InlineData("42", ComparisonOperator.Less, 43UL, true)]
    public void BytesFilter_UsesHumanizeUnits(string value, ComparisonOperator op, ulong bytes, bool expected) =>
        Assert.Equal(expected, Filter(LabelFilter.Bytes("b", op, bytes), ("b", value)).Kept);

    [Fact]
    public void BytesFilter_UnknownUnit_SetsError() =>
        Assert.Contains("unhandled size name: zb", Filter(LabelFilter.Bytes("b", ComparisonOperator.Greater, 1), ("b", "1zb")).Labels);

    [Fact]
    public void IpFilter_MatchesCidr()
    {
        Assert.True(LabelFilter.TryIp("addr", equal: true, "192.168.0.0/16", out var f, out _));
        Assert.True(Filter(f, ("addr", "192.168.3.4")).Kept);
        Assert.False(Filter(f, ("addr", "10.1.1.1")).Kept);
        Assert.True(LabelFilter.TryIp("addr", equal: false, "192.168.0.0/16", out var nf, out _));
        Assert.True(Filter(nf, ("addr", "10.1.1.1")).Kept);
    }

    [Fact]
    public void AndOr_CombineAsLoki()
    {
        var status = LabelFilter.Numeric("status", ComparisonOperator.GreaterOrEqual, 400);
        var get = LabelFilter.String(M("method", LabelMatchType.Equal, "GET"));
        Assert.True(Filter(LabelFilter.And(status, get), ("method", "GET"), ("status", "500")).Kept);
        Assert.False(Filter(LabelFilter.And(status, get), ("method", "POST"), ("status", "500")).Kept);
        Assert.True(Filter(LabelFilter.Or(status, get), ("method", "POST"), ("status", "500")).Kept);
        Assert.False(Filter(LabelFilter.Or(status, get), ("method", "POST"), ("status", "200")).Kept);
    }

    [Fact]
    public void ErrorLine_NumericFiltersStillCompare_StringMatchersFilterTheError()
    {
        // Loki 3 (#12378): a numeric filter still applies to a line in error; without its label the line is dropped.
        var stages = new IStage[] { new JsonParser(), LabelFilter.Numeric("x", ComparisonOperator.Greater, 5) };
        Assert.False(Run.Stages("not json", stages).Kept);
        var dropErrors = new IStage[] { new JsonParser(), LabelFilter.String(M("__error__", LabelMatchType.Equal, "")) };
        Assert.False(Run.Stages("not json", dropErrors).Kept);
        Assert.True(Run.Stages("{\"x\":1}", dropErrors).Kept);
    }

    [Fact]
    public void Drop_RemovesNamesMatchersAndErrorLabels()
    {
        var drop = new DropLabelsStage(
        [
            new LabelSelector("a"),
            LabelSelector.FromMatcher(M("b", LabelMatchType.Equal, "x")),
            LabelSelector.FromMatcher(M("c", LabelMatchType.Regexp, "y.*")),
            new LabelSelector("__error__"),
            new LabelSelector("__error_details__"),
        ]);
        var (_, _, labels) = Run.Stages("not json", [new JsonParser(), drop], Run.Labels(("a", "1"), ("b", "x"), ("c", "nope"), ("d", "4")));
        Assert.Equal("""{c="nope", d="4"}""", labels);
    }

    [Fact]
    public void Keep_KeepsListedLabelsAndErrors()
    {
        var keep = new KeepLabelsStage([new LabelSelector("a"), LabelSelector.FromMatcher(M("b", LabelMatchType.Equal, "x"))]);
        var (_, _, labels) = Run.Stages("not json", [new JsonParser(), keep], Run.Labels(("a", "1"), ("b", "y"), ("c", "3")));
        Assert.Equal("""{__error__="JSONParserErr", __error_details__="Value looks like object, but can't find closing '}' symbol", a="1"}""", labels);
    }

    [Fact]
    public void Decolorize_StripsAnsiCodes()
    {
        var (_, line, _) = Run.Stage("\u001b[31mred\u001b[0m plain \u001b[1;32mbold\u001b[0m", new DecolorizeStage());
        Assert.Equal("red plain bold", line);
    }

    [Fact]
    public void LabelsBuilder_PrecedenceAndCategories()
    {
        var b = new LabelsBuilder(Run.Labels(("app", "s"), ("env", "prod")));
        b.Set(LabelCategory.StructuredMetadata, "trace", "t1");
        b.Set(LabelCategory.Parsed, "trace", "t2");
        b.Set(LabelCategory.Parsed, "env", "dev");
        b.Delete("app");
        Assert.True(b.TryGet("trace", out var trace));
        Assert.Equal("t2", trace);
        Assert.False(b.TryGet("app", out _));
        Assert.Equal("""{env="dev", trace="t2"}""", b.LabelsString());
        var c = b.Categorized();
        Assert.Empty(c.Stream);
        Assert.Empty(c.StructuredMetadata);
        Assert.Equal(Run.Labels(("env", "dev"), ("trace", "t2")), c.Parsed);
        b.Reset();
        Assert.Equal("""{app="s", env="prod"}""", b.LabelsString());
    }

    [Fact]
    public void LabelsHash_TellsApartSetsThatJoinToTheSameText()
    {
        ulong H(params (string, string)[] pairs) => new LabelsBuilder(Run.Labels(pairs)).LabelsHash();

        Assert.Equal(H(("a", "1"), ("b", "2")), H(("a", "1"), ("b", "2")));
        Assert.NotEqual(H(("ab", "c")), H(("a", "bc")));
        Assert.NotEqual(H(("a", "b"), ("c", "")), H(("a", ""), ("b", "c")));
        Assert.NotEqual(H(("a", "1")), H(("a", "1"), ("b", "")));
        Assert.NotEqual(H(("a", "é")), H(("a", "e")));
    }

    [Fact]
    public void LabelsBuilder_StringAndHashAreCachedWhileUnchanged()
    {
        var b = new LabelsBuilder(Run.Labels(("a", "x\"y\n")));
        var s1 = b.LabelsString();
        b.Reset();
        Assert.Same(s1, b.LabelsString());
        Assert.Equal("{a=\"x\\\"y\\n\"}", s1);
        var h = b.LabelsHash();
        b.Set(LabelCategory.Parsed, "z", "1");
        Assert.NotEqual(h, b.LabelsHash());
        b.Reset();
        Assert.Equal(h, b.LabelsHash());
    }

    [Fact]
    public void StreamPipeline_AddsMetadataAndIsReusedPerStream()
    {
        var pipeline = new Pipeline([new LogfmtParser()]);
        var s1 = pipeline.ForStream(Run.Labels(("app", "a")));
        Assert.Same(s1, pipeline.ForStream(Run.Labels(("app", "a"))));
        ReadOnlySpan<byte> line = "k=v"u8;
        Assert.True(s1.Process(0, ref line, [new("trace_id", "abc")]));
        var c = s1.Labels.Categorized();
        Assert.Equal(Run.Labels(("trace_id", "abc")), c.StructuredMetadata);
        Assert.Equal(Run.Labels(("k", "v")), c.Parsed);
    }

    [Fact]
    public void SampleExtractor_CountBytesAndUnwrap()
    {
        var stream = Run.Labels(("app", "a"));
        var count = SampleExtractor.Count(Pipeline.Noop).ForStream(stream);
        Assert.True(count.Process(0, "hello"u8, null, out var v, out _));
        Assert.Equal(1, v);
        var bytes = SampleExtractor.Bytes(Pipeline.Noop).ForStream(stream);
        Assert.True(bytes.Process(0, "héllo"u8, null, out v, out _));
        Assert.Equal(6, v);

        var unwrap = SampleExtractor.Unwrap(new Pipeline([new LogfmtParser()]), "latency", UnwrapConversion.Duration).ForStream(stream);
        Assert.True(unwrap.Process(0, "latency=1m30s path=/x"u8, null, out v, out _));
        Assert.Equal(90, v);
        Assert.Equal("""{app="a", path="/x"}""", unwrap.SeriesLabelsString());
        Assert.False(unwrap.Process(0, "path=/x"u8, null, out _, out _));

        Assert.True(unwrap.Process(0, "latency=fast"u8, null, out _, out var labels));
        Assert.Equal("SampleExtractionErr", labels.Error);
        Assert.Equal("time: invalid duration \"fast\"", labels.ErrorDetails);
    }

    [Fact]
    public void SampleExtractor_PostFiltersAndGrouping()
    {
        var post = LabelFilter.String(M("__error__", LabelMatchType.Equal, ""));
        var e = SampleExtractor.Unwrap(new Pipeline([new LogfmtParser()]), "size", UnwrapConversion.Bytes, [post], LabelGrouping.By(["path"])).ForStream(Run.Labels(("app", "a")));
        Assert.True(e.Process(0, "size=2KB path=/p"u8, null, out var v, out _));
        Assert.Equal(2000, v);
        Assert.Equal("""{path="/p"}""", e.SeriesLabelsString());
        Assert.False(e.Process(0, "size=2XB path=/p"u8, null, out _, out _));
    }

    [Fact]
    public void ExtractedSuffix_AppliesToStreamLabelCollisions()
    {
        var (_, _, labels) = Run.Stages("app=x level=info", [new LogfmtParser()], Run.Labels(("app", "foo"), ("level", "warn")));
        Assert.Equal("""{app="foo", app_extracted="x", level="warn", level_extracted="info"}""", labels);
    }
}
