namespace Orleans.Loki.LogQL.Log.Tests;

/// <summary>Parsers given hints extract only the wanted labels and still report errors as without hints.</summary>
public sealed class ParserHintsTests
{
    private static readonly KeyValuePair<string, string>[] s_stream = Run.Labels(("app", "foo"), ("level", "stream"));

    [Fact]
    public void Logfmt_ExtractsOnlyHintedKeys()
    {
        var parser = new LogfmtParser(hints: new ParserHints(["status", "odd_key"]));
        var (kept, _, labels) = Run.Stages("ts=1 status=500 path=/x odd.key=v msg=\"a b\"", [parser], s_stream);
        Assert.True(kept);
        Assert.Equal("{app=\"foo\", level=\"stream\", odd_key=\"v\", status=\"500\"}", labels);
    }

    [Fact]
    public void Logfmt_HintOnAnExtractedNameAdmitsTheCollidingKey()
    {
        var parser = new LogfmtParser(hints: new ParserHints(["level_extracted"]));
        var (_, _, labels) = Run.Stages("level=error status=500", [parser], s_stream);
        Assert.Equal("{app=\"foo\", level=\"stream\", level_extracted=\"error\"}", labels);
    }

    [Fact]
    public void Logfmt_StrictErrorsAreReportedWhateverTheHints()
    {
        var hinted = Run.Stages("a=1 b=\"unterminated", [new LogfmtParser(strict: true, hints: new ParserHints(["x"]))], s_stream);
        Assert.Equal(
            "{__error__=\"LogfmtParserErr\", __error_details__=\"logfmt syntax error at pos 20 on line 1: unterminated quoted value\", app=\"foo\", level=\"stream\"}",
            hinted.Labels);
    }

    [Fact]
    public void Json_ExtractsOnlyHintedKeysAndWalksOnlyWantedObjects()
    {
        var parser = new JsonParser(new ParserHints(["status", "user_id"]));
        var (_, _, labels) = Run.Stages("{\"status\":500,\"path\":\"/x\",\"user\":{\"id\":\"u-1\",\"tier\":\"free\"},\"req\":{\"id\":7}}", [parser], s_stream);
        Assert.Equal("{app=\"foo\", level=\"stream\", status=\"500\", user_id=\"u-1\"}", labels);
    }

    [Fact]
    public void Json_MalformedInputIsFlaggedWhateverTheHints()
    {
        var (_, _, labels) = Run.Stages("{\"a\":1,\"skipped\":{\"x\":", [new JsonParser(new ParserHints(["a"]))], s_stream);
        Assert.Equal("{__error__=\"JSONParserErr\", __error_details__=\"Value looks like object, but can't find closing '}' symbol\", a=\"1\", app=\"foo\", level=\"stream\"}", labels);
    }
}
