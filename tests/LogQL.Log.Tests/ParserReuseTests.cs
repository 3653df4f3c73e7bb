namespace Orleans.Loki.LogQL.Log.Tests;

/// <summary>Parsers and pipelines reused across lines and streams (as queries run them) give each line its own labels.</summary>
public sealed class ParserReuseTests
{
    [Fact]
    public void Logfmt_ValuesAndKeysThatChangeBetweenLinesAreReadAfresh()
    {
        var pipeline = new Pipeline([new LogfmtParser()]);
        var stream = Run.Labels(("app", "x"));
        string Parse(string text)
        {
            var sp = pipeline.ForStream(stream);
            ReadOnlySpan<byte> line = System.Text.Encoding.UTF8.GetBytes(text);
            sp.Process(0, ref line, null);
            return sp.Labels.LabelsString();
        }

        Assert.Equal("{a=\"1\", app=\"x\", b=\"x\"}", Parse("a=1 b=x"));
        Assert.Equal("{a=\"1\", app=\"x\", b=\"yy\"}", Parse("a=1 b=yy"));
        Assert.Equal("{a=\"1\", app=\"x\", c_d=\"yy\"}", Parse("a=1 c.d=yy"));
        Assert.Equal("{a=\"q\\\"\", app=\"x\", c_d=\"yy\"}", Parse("a=\"q\\\"\" c.d=yy"));
        Assert.Equal("{app=\"x\", b=\"1\"}", Parse("b=1"));
    }

    [Fact]
    public void Json_ValuesThatChangeBetweenLinesAreReadAfresh()
    {
        var pipeline = new Pipeline([new JsonParser()]);
        var stream = Run.Labels(("app", "x"));
        string Parse(string text)
        {
            var sp = pipeline.ForStream(stream);
            ReadOnlySpan<byte> line = System.Text.Encoding.UTF8.GetBytes(text);
            sp.Process(0, ref line, null);
            return sp.Labels.LabelsString();
        }

        Assert.Equal("{a=\"1\", app=\"x\", b=\"true\"}", Parse("{\"a\":1,\"b\":true}"));
        Assert.Equal("{a=\"1\", app=\"x\", b=\"false\"}", Parse("{\"a\":\"1\",\"b\":false}"));
        Assert.Equal("{app=\"x\", b=\"é\", c=\"1\"}", Parse("{\"c\":1,\"b\":\"\\u00e9\"}"));
    }

    [Fact]
    public void Pipeline_StreamsWithEqualLabelsShareOneStreamPipeline()
    {
        var pipeline = new Pipeline([]);
        var a = pipeline.ForStream(Run.Labels(("app", "x")));
        var b = pipeline.ForStream(Run.Labels(("app", "x")));
        var c = pipeline.ForStream(Run.Labels(("app", "y")));
        Assert.Same(a, b);
        Assert.NotSame(a, c);
        Assert.Equal("{app=\"y\"}", c.Labels.LabelsString());
    }
}
