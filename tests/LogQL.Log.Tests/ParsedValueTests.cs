using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log.Tests;

/// <summary>
/// Parsed values kept as bytes until read, and per-name key state reused across lines and streams, give the same
/// labels as making every string at once: first value wins, <c>_extracted</c>, U+FFFD values, error labels.
/// </summary>
public sealed class ParsedValueTests
{
    private static string Parse(StreamPipeline sp, byte[] line)
    {
        ReadOnlySpan<byte> span = line;
        sp.Process(0, ref span, null);
        return sp.Labels.LabelsString();
    }

    private static string Parse(StreamPipeline sp, string line) => Parse(sp, Encoding.UTF8.GetBytes(line));

    [Fact]
    public void Logfmt_InvalidUtf8ValueBecomesEmptyAndLaterValuesStayIntact()
    {
        var sp = new Pipeline([new LogfmtParser()]).ForStream(Run.Labels(("app", "x")));
        byte[] line = [.. "a="u8, 0xFF, 0xFE, .. " b=ok c=\"in quotes\""u8];
        Assert.Equal("{a=\"\", app=\"x\", b=\"ok\", c=\"in quotes\"}", Parse(sp, line));
    }

    [Fact]
    public void Logfmt_QuotedValuesAreUnescapedOrTakenVerbatim()
    {
        var sp = new Pipeline([new LogfmtParser()]).ForStream(Run.Labels(("app", "x")));
        Assert.Equal("{a=\"say \\\"hi\\\"\", app=\"x\", b=\"tab\\there\"}", Parse(sp, "a=\"say \\\"hi\\\"\" b=\"tab\there\""));
        Assert.Equal("{a=\"plain\", app=\"x\", b=\"é ü\"}", Parse(sp, "a=\"plain\" b=\"é ü\""));
    }

    [Fact]
    public void Json_InvalidUtf8ValueBecomesEmpty()
    {
        var sp = new Pipeline([new JsonParser()]).ForStream(Run.Labels(("app", "x")));
        byte[] line = [.. "{\"a\":\"ok\",\"b\":\"x"u8, 0xC3, .. "\",\"n\":-1.5e3}"u8];
        Assert.Equal("{a=\"ok\", app=\"x\", b=\"\", n=\"-1.5e3\"}", Parse(sp, line));
    }

    [Fact]
    public void Logfmt_FirstValueWinsAlsoForKeysThatSanitiseAlike()
    {
        var sp = new Pipeline([new LogfmtParser()]).ForStream(Run.Labels(("app", "x")));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("{a_b=\"1\", app=\"x\"}", Parse(sp, "a.b=1 a-b=2 a_b=3"));
        }
    }

    [Fact]
    public void Logfmt_StreamLabelCollisionAndLiteralExtractedKeyShareOneName()
    {
        var sp = new Pipeline([new LogfmtParser()]).ForStream(Run.Labels(("app", "x")));
        Assert.Equal("{app=\"x\", app_extracted=\"first\"}", Parse(sp, "app=first app_extracted=second"));
        Assert.Equal("{app=\"x\", app_extracted=\"second\"}", Parse(sp, "app_extracted=second app=first"));
    }

    [Fact]
    public void Json_KeyResolutionFollowsTheStreamOfEachLine()
    {
        var pipeline = new Pipeline([new JsonParser()]);
        var withLevel = pipeline.ForStream(Run.Labels(("app", "x"), ("level", "info")));
        var without = pipeline.ForStream(Run.Labels(("app", "y")));
        const string line = "{\"level\":\"error\",\"user\":{\"id\":7}}";
        Assert.Equal("{app=\"x\", level=\"info\", level_extracted=\"error\", user_id=\"7\"}", Parse(withLevel, line));
        Assert.Equal("{app=\"y\", level=\"error\", user_id=\"7\"}", Parse(without, line));
        Assert.Equal("{app=\"x\", level=\"info\", level_extracted=\"error\", user_id=\"7\"}", Parse(withLevel, line));
    }

    [Fact]
    public void SecondParser_KeepsValuesOfTheFirstForKeysBothFind()
    {
        var sp = new Pipeline([new LogfmtParser(), new LogfmtParser()]).ForStream(Run.Labels(("app", "x")));
        Assert.Equal("{a=\"1\", app=\"x\", b=\"2\"}", Parse(sp, "a=1 b=2 a=3"));
        Assert.Equal("{a=\"4\", app=\"x\"}", Parse(sp, "a=4"));
    }

    [Fact]
    public void ErrorKeyInTheLine_LastOneSetsTheError()
    {
        var sp = new Pipeline([new LogfmtParser()]).ForStream(Run.Labels(("app", "x")));
        Assert.Equal("{__error__=\"second\", app=\"x\"}", Parse(sp, "__error__=first __error__=second"));
    }

    [Fact]
    public void LazyValues_SurviveDeletingAnEarlierLabel()
    {
        var sp = new Pipeline([new LogfmtParser(), new DropLabelsStage([new LabelSelector("a")])]).ForStream(Run.Labels(("app", "x")));
        Assert.Equal("{app=\"x\", b=\"two\", c=\"three\"}", Parse(sp, "a=one b=two c=three"));
        Assert.Equal("{app=\"x\", b=\"2\", c=\"three\"}", Parse(sp, "a=1 b=2 c=three"));
    }

    [Fact]
    public void LabelFilter_ReadsTheLazyValue()
    {
        var filter = LabelFilter.String(LabelMatcher.Equal("level", "error"));
        var sp = new Pipeline([new JsonParser(), filter]).ForStream(Run.Labels(("app", "x")));
        ReadOnlySpan<byte> kept = "{\"level\":\"error\",\"msg\":\"m\"}"u8;
        ReadOnlySpan<byte> dropped = "{\"level\":\"errors\",\"msg\":\"m\"}"u8;
        Assert.True(sp.Process(0, ref kept, null));
        Assert.Equal("{app=\"x\", level=\"error\", msg=\"m\"}", sp.Labels.LabelsString());
        Assert.False(sp.Process(0, ref dropped, null));
    }

    [Fact]
    public void Result_SortsUppercaseNamesAndErrorLabelsAmongParsedOnes()
    {
        var sp = new Pipeline([new JsonParser()]).ForStream(Run.Labels(("app", "x"), ("job", "j")));
        ReadOnlySpan<byte> line = "{\"zeta\":\"1\",\"Zeta\":\"2\",\"b\":\"x"u8;
        sp.Process(0, ref line, null);
        var expected = Run.Labels(("Zeta", "2"), ("__error__", "JSONParserErr"), ("__error_details__", "Value looks like object, but can't find closing '}' symbol"), ("app", "x"), ("job", "j"), ("zeta", "1"));
        Assert.Equal(expected, sp.Labels.Labels());
        Assert.Equal(LabelsBuilder.Format(expected), sp.Labels.LabelsString());
    }

    [Fact]
    public void Result_StreamBeatsMetadataBeatsParsedForOneName_LosersUnderExtracted()
    {
        // Loki: the base name goes to stream > metadata > parsed; the value that loses it goes to name_extracted.
        var sp = new Pipeline([new LogfmtParser(), new DropLabelsStage([new LabelSelector("job")])]).ForStream(Run.Labels(("app", "x"), ("job", "j"), ("zone", "z")));
        ReadOnlySpan<byte> line = "trace=fromline other=o"u8;
        sp.Process(0, ref line, [new("trace", "frommeta"), new("zone", "metazone"), new("meta", "m")]);
        var expected = Run.Labels(("app", "x"), ("meta", "m"), ("other", "o"), ("trace", "frommeta"), ("trace_extracted", "fromline"), ("zone", "z"), ("zone_extracted", "metazone"));
        Assert.Equal(expected, sp.Labels.Labels());
        Assert.Equal(LabelsBuilder.Format(expected), sp.Labels.LabelsString());
    }

    [Fact]
    public void Result_LabelStringQuotesLazyValuesAsGoDoes()
    {
        var sp = new Pipeline([new LogfmtParser()]).ForStream(Run.Labels(("app", "x")));
        byte[] line = [.. "a=\"q\\\"x\" b=caf\u00e9 c=back\\slash d=\"bell"u8, 0x07, .. "\" e=plain"u8];
        Assert.Equal("{a=\"q\\\"x\", app=\"x\", b=\"caf\u00e9\", c=\"back\\\\slash\", d=\"bell\\a\", e=\"plain\"}", Parse(sp, line));
    }

    [Fact]
    public void LongValues_BeyondTheByteBufferStillComeOutWhole()
    {
        var sp = new Pipeline([new LogfmtParser()]).ForStream(Run.Labels(("app", "x")));
        var big = new string('v', 12_000);
        var labels = Parse(sp, $"a={big} b={big} c=\"{big}\" d=short");
        Assert.Equal($"{{a=\"{big}\", app=\"x\", b=\"{big}\", c=\"{big}\", d=\"short\"}}", labels);
    }
}
