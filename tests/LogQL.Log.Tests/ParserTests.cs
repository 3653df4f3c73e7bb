using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log.Tests;

public sealed class ParserTests
{
    private static IStage Json() => new JsonParser();

    // Examples from Loki's log query documentation (json parser).
    [Fact]
    public void Json_FlattensNestedObjectsAndSkipsArrays()
    {
        const string line = """{"protocol":"HTTP/2.0","servers":["129.0.1.1","10.2.1.3"],"request":{"time":"6.032","method":"GET","host":"foo.grafana.net","size":"55","headers":{"Accept":"*/*","User-Agent":"curl/7.68.0"}},"response":{"status":401,"size":"228","latency_seconds":"6.031"}}""";
        var (kept, _, labels) = Run.Stage(line, Json());
        Assert.True(kept);
        Assert.Equal("""{app="foo", protocol="HTTP/2.0", request_headers_Accept="*/*", request_headers_User_Agent="curl/7.68.0", request_host="foo.grafana.net", request_method="GET", request_size="55", request_time="6.032", response_latency_seconds="6.031", response_size="228", response_status="401"}""", labels);
    }

    [Theory]
    [InlineData("""{"n":1.50,"b":true,"f":false,"z":null}""", """{app="foo", b="true", f="false", n="1.50"}""")]
    [InlineData("""{"s":"a\"b\\c\u00e9\n"}""", """{app="foo", s="a\"b\\cé\n"}""")]
    [InlineData("""{"1a":"x","a-b c":"y"," t ":"z"}""", """{_1a="x", a_b_c="y", app="foo", t="z"}""")]
    [InlineData("""{"app":"dup"}""", """{app="foo", app_extracted="dup"}""")]
    [InlineData("""{"k":"first","k":"second"}""", """{app="foo", k="first"}""")]
    [InlineData("""{"o":{"1x":{"y":"v"}}}""", """{app="foo", o_1x_y="v"}""")]
    [InlineData("""{"bad":"\ud800"}""", """{app="foo", bad=""}""")]
    public void Json_RendersValuesAsLoki(string line, string expected) =>
        Assert.Equal(expected, Run.Stage(line, Json()).Labels);

    [Theory]
    [InlineData("not json", "Value looks like object, but can't find closing '}' symbol")]
    [InlineData("""{"a":"b" """, "Value looks like object, but can't find closing '}' symbol")]
    [InlineData("""{"a":tru}""", "Malformed JSON error")]
    public void Json_InvalidLine_SetsErrorAndKeepsLine(string line, string details)
    {
        var (kept, outLine, labels) = Run.Stage(line, Json());
        Assert.True(kept);
        Assert.Equal(line, outLine);
        Assert.Contains("__error__=\"JSONParserErr\"", labels);
        Assert.Contains($"__error_details__={GoQuote.Quote(details)}", labels);
    }

    [Fact]
    public void JsonExpressions_ExtractAddressedValues()
    {
        Assert.True(JsonExpressionParser.TryCreate(
        [
            new("first_server", "servers[0]"),
            new("ua", "request.headers[\"User-Agent\"]"),
            new("headers", "request.headers"),
            new("missing", "nope.nope"),
            new("app", "protocol"),
        ], out var p, out var error), error);
        const string line = """{"protocol":"HTTP/2.0","servers":["129.0.1.1","10.2.1.3"],"request":{"headers":{"Accept":"*/*","User-Agent":"curl/7.68.0"}}}""";
        Assert.Equal("""{app="foo", app_extracted="HTTP/2.0", first_server="129.0.1.1", headers="{\"Accept\":\"*/*\",\"User-Agent\":\"curl/7.68.0\"}", missing="", ua="curl/7.68.0"}""", Run.Stage(line, p!).Labels);
    }

    [Theory]
    [InlineData("a[")]
    [InlineData("a..b")]
    [InlineData("a[x]")]
    public void JsonExpressions_InvalidPathIsRejected(string path) =>
        Assert.False(JsonExpressionParser.TryCreate([new("l", path)], out _, out _));

    [Theory]
    [InlineData("at=info method=GET path=/ host=grafana.net fwd=\"124.133.124.161\" service=8ms status=200", """{app="foo", at="info", fwd="124.133.124.161", host="grafana.net", method="GET", path="/", service="8ms", status="200"}""")]
    [InlineData("msg=\"a \\\"quoted\\\" word\" x=1", """{app="foo", msg="a \"quoted\" word", x="1"}""")]
    [InlineData("standalone key= x=1", """{app="foo", x="1"}""")]
    [InlineData("app=bar", """{app="foo", app_extracted="bar"}""")]
    [InlineData("a=1 a=2", """{a="1", app="foo"}""")]
    [InlineData("bad\"key=1 ok=2", """{app="foo", ok="2"}""")]
    [InlineData("x=\"unterminated y=2", """{app="foo"}""")]
    [InlineData("1st=a b.c=d", """{_1st="a", app="foo", b_c="d"}""")]
    public void Logfmt_LenientByDefault(string line, string expected) =>
        Assert.Equal(expected, Run.Stage(line, new LogfmtParser()).Labels);

    [Fact]
    public void Logfmt_KeepEmpty_KeepsStandaloneKeys() =>
        Assert.Equal("""{app="foo", empty="", standalone="", x="1"}""", Run.Stage("standalone empty= x=1", new LogfmtParser(keepEmpty: true)).Labels);

    [Theory]
    [InlineData("a=1 bad\"key=1 c=3", """{__error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 8 on line 1: unexpected '\"'", a="1", app="foo"}""")]
    [InlineData("a=1 =x", """{__error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 5 on line 1: unexpected '='", a="1", app="foo"}""")]
    [InlineData("a=\"open", """{__error__="LogfmtParserErr", __error_details__="logfmt syntax error at pos 8 on line 1: unterminated quoted value", app="foo"}""")]
    public void Logfmt_Strict_StopsAtFirstErrorWithDetails(string line, string expected) =>
        Assert.Equal(expected, Run.Stage(line, new LogfmtParser(strict: true)).Labels);

    [Fact]
    public void Logfmt_Parameters_ExtractRenamedKeys()
    {
        var p = new LogfmtParser(extractions: [new("m", "method"), new("missing", "nope"), new("app", "status")]);
        Assert.Equal("""{app="foo", app_extracted="200", m="GET", missing=""}""", Run.Stage("method=GET status=200 other=1", p).Labels);
    }

    [Fact]
    public void Regexp_NamedGroupsBecomeLabels()
    {
        Assert.True(RegexpParser.TryCreate("(?P<method>\\w+) (?P<path>[\\w|/]+) \\((?P<status>\\d+?)\\) (?P<duration>.*)", out var p, out var error), error);
        Assert.Equal("""{app="foo", duration="1.5s", method="POST", path="/api/prom/api/v1/query_range", status="200"}""",
            Run.Stage("POST /api/prom/api/v1/query_range (200) 1.5s", p!).Labels);
        Assert.Equal("""{app="foo"}""", Run.Stage("no match", p!).Labels);
    }

    [Theory]
    [InlineData("(?P<1x>a)", "invalid extracted label name '1x'")]
    [InlineData("(a)", "at least one named capture must be supplied")]
    public void Regexp_InvalidExpressionIsRejected(string re, string expected)
    {
        Assert.False(RegexpParser.TryCreate(re, out _, out var error));
        Assert.Equal(expected, error);
    }

    // Example from Loki's pattern parser documentation.
    [Fact]
    public void Pattern_ExtractsNginxFields()
    {
        Assert.True(PatternParser.TryCreate("<ip> - - <_> \"<method> <uri> <_>\" <status> <size> <_> \"<agent>\" <_>", out var p, out var error), error);
        const string line = "0.191.12.2 - - [10/Jun/2021:09:14:29 +0000] \"GET /api/plugins/versioncheck HTTP/1.1\" 200 2 \"-\" \"Go-http-client/2.0\" \"13.76.247.102, 34.120.177.193\" \"TLSv1.2\" \"US\" \"\"";
        Assert.Equal("""{agent="Go-http-client/2.0", app="foo", ip="0.191.12.2", method="GET", size="2", status="200", uri="/api/plugins/versioncheck"}""", Run.Stage(line, p!).Labels);
    }

    [Fact]
    public void Pattern_MissingLiteralTakesRestOfLine()
    {
        Assert.True(PatternParser.TryCreate("<a> <b>:<c>", out var p, out _));
        Assert.Equal("""{a="x", app="foo", b="y z"}""", Run.Stage("x y z", p!).Labels);
    }

    [Theory]
    [InlineData("foo", "at least one capture is required")]
    [InlineData("<a><b>", "found consecutive capture '<a><b>': invalid expression")]
    [InlineData("<a> <a>", "duplicate capture name (a): invalid expression")]
    public void Pattern_ValidationErrors(string pattern, string expected)
    {
        Assert.False(PatternParser.TryCreate(pattern, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Unpack_ReplacesLineWithEntryAndAddsLabels()
    {
        var (kept, line, labels) = Run.Stage("""{"container":"myapp","pod":"p-1","_entry":"original log message","n":1}""", new UnpackParser());
        Assert.True(kept);
        Assert.Equal("original log message", line);
        Assert.Equal("""{app="foo", container="myapp", pod="p-1"}""", labels);
    }

    [Fact]
    public void Unpack_WithoutEntryKeepsLineAndLabels()
    {
        var (_, line, labels) = Run.Stage("""{"container":"myapp"}""", new UnpackParser());
        Assert.Equal("""{"container":"myapp"}""", line);
        Assert.Equal("""{app="foo"}""", labels);
    }

    [Fact]
    public void FirstParserWins_ForDuplicateKeys()
    {
        var (_, _, labels) = Run.Stages("""{"level":"json"}""", [new JsonParser(), new LogfmtParser()]);
        Assert.Contains("level=\"json\"", labels);
    }
}
