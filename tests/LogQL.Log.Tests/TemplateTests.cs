namespace Orleans.Loki.LogQL.Log.Tests;

public sealed class TemplateTests
{
    // Examples from Loki's template functions documentation plus Go text/template behaviour.
    [Theory]
    [InlineData("{{ .path }}", "/a b/c")]
    [InlineData("{{ .path | replace \" \" \"_\" | trunc 5 | upper }}", "/A_B/")]
    [InlineData("{{ .missing }}", "")]
    [InlineData("{{ if and (contains \"he\" \"hello\") (contains \"llo\" \"hello\") }}yes{{end}}", "yes")]
    [InlineData("{{ if eq .status \"200\" }}ok{{ else if eq .status \"404\" }}nf{{ else }}other{{ end }}", "nf")]
    [InlineData("{{ with .path }}[{{ . }}]{{ else }}none{{ end }}", "[/a b/c]")]
    [InlineData("{{ with .missing }}[{{ . }}]{{ else }}none{{ end }}", "none")]
    [InlineData("{{ $x := .status }}{{ $x }}-{{ $x = \"y\" }}{{ $x }}", "404-y")]
    [InlineData("a  {{- .status -}}  b", "a404b")]
    [InlineData("{{/* comment */}}x", "x")]
    [InlineData("{{ .status | printf \"%s-%d\" }}", "404-%!d(MISSING)")]
    [InlineData("{{ printf \"%5s|%-4d|%.2f|%q|%x\" .status 7 3.14159 \"q\" 255 }}", "  404|7   |3.14|\"q\"|ff")]
    [InlineData("{{ len .path }}", "6")]
    [InlineData("{{ index . \"status\" }}", "404")]
    [InlineData("{{ not true }} {{ or \"\" \"b\" }} {{ and 1 0 }}", "false b 0")]
    [InlineData("{{ lt 1 2 }} {{ ge 2.5 2 }} {{ ne \"a\" \"b\" }}", "true true true")]
    [InlineData("{{ print 1 2 \"a\" 3 }}", "1 2a3")]
    [InlineData("{{ 1.5 }} {{ 1e6 }} {{ 0.00001 }} {{ 100000.0 }}", "1.5 1e+06 1e-05 100000")]
    public void Template_RendersLikeGo(string template, string expected) =>
        Assert.Equal(expected, Run.Format(template, "", 0, ("path", "/a b/c"), ("status", "404")));

    [Theory]
    [InlineData("{{ \"Hello\" | lower }} {{ \"hello\" | upper }} {{ \"hello world\" | title }}", "hello HELLO Hello World")]
    [InlineData("{{ trunc 3 \"héllo\" }} {{ trunc -2 \"hello\" }} {{ substr 1 3 \"héllo\" }}", "hél lo él")]
    [InlineData("{{ \"hello\" | contains \"ell\" }} {{ hasPrefix \"he\" \"hello\" }} {{ hasSuffix \"lo\" \"hello\" }}", "true true true")]
    [InlineData("{{ indent 2 \"a\\nb\" }}|{{ nindent 1 \"c\" }}", "  a\n  b|\n c")]
    [InlineData("{{ repeat 3 \"ab\" }} {{ replace \"a\" \"b\" \"banana\" }}", "ababab bbnbnb")]
    [InlineData("{{ trim \"  x  \" }}|{{ trimAll \"$\" \"$5.00$\" }}|{{ trimSuffix \"-\" \"a-\" }}|{{ trimPrefix \"-\" \"-a\" }}", "x|5.00|a|a")]
    [InlineData("{{ ToLower \"AB\" }}{{ ToUpper \"cd\" }}{{ Replace \"aaa\" \"a\" \"b\" 2 }}{{ TrimSpace \" x \" }}{{ TrimPrefix \"xy\" \"x\" }}{{ TrimSuffix \"xy\" \"y\" }}", "abCDbbaxyx")]
    [InlineData("{{ Trim \"xxaxx\" \"x\" }}{{ TrimLeft \"xxa\" \"x\" }}{{ TrimRight \"axx\" \"x\" }}", "aaa")]
    [InlineData("{{ add 3 2 \"5\" }} {{ sub 3 5 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }}", "10 -2 24 3 1")]
    [InlineData("{{ addf 0.1 0.2 }} {{ subf 1.5 0.5 }} {{ mulf 1.5 2 }} {{ divf 1 4 }}", "0.3 1 3 0.25")]
    [InlineData("{{ max 1 5 3 }} {{ min 4 2 }} {{ maxf 1.5 2.5 }} {{ minf 1.5 0.5 }}", "5 2 2.5 0.5")]
    [InlineData("{{ ceil 1.2 }} {{ floor 1.8 }} {{ round 1.2345 2 }} {{ round 1.5 0 }} {{ abs -3 }}", "2 1 1.23 2 3")]
    [InlineData("{{ int \"42\" }} {{ float64 \"1.5\" }} {{ int \"x\" }} {{ \"12.0\" | int }}", "42 1.5 0 12")]
    [InlineData("{{ default \"n/a\" .missing }} {{ default \"n/a\" \"v\" }}", "n/a v")]
    [InlineData("{{ regexReplaceAll \"(a)(x*)\" \"-ab-axxb-\" \"${1}W\" }}", "-aWb-aWb-")]
    [InlineData("{{ regexReplaceAllLiteral \"a(x*)\" \"-ab-axxb-\" \"$1\" }}", "-$1b-$1b-")]
    [InlineData("{{ count \"a|b\" \"abcab\" }}", "4")]
    [InlineData("{{ b64enc \"hello\" }} {{ b64dec \"aGVsbG8=\" }}", "aGVsbG8= hello")]
    [InlineData("{{ urlencode \"a b&c=d/é\" }} {{ urldecode \"a+b%26c\" }}", "a+b%26c%3Dd%2F%C3%A9 a b&c")]
    [InlineData("{{ alignLeft 5 \"ab\" }}|{{ alignRight 5 \"ab\" }}|{{ alignLeft 2 \"abcd\" }}|{{ alignRight 2 \"abcd\" }}", "ab   |   ab|ab|cd")]
    [InlineData("{{ \"5m30s\" | duration }} {{ duration_seconds \"1h\" }} {{ bytes \"1KiB\" }}", "330 3600 1024")]
    [InlineData("{{ sha256 \"abc\" }}", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("{{ (fromJson \"{\\\"a\\\":{\\\"b\\\":[1,2]}}\").a.b }}", "[1 2]")]
    [InlineData("{{ range $i, $e := (fromJson \"[\\\"x\\\",\\\"y\\\"]\") }}{{ $i }}={{ $e }};{{ end }}", "0=x;1=y;")]
    [InlineData("{{ range $k, $v := . }}{{ $k }}{{ end }}", "pathstatus")]
    [InlineData("{{ range 5 }}{{ if eq . 3 }}{{ break }}{{ end }}{{ . }}{{ end }}", "012")]
    [InlineData("{{ range (fromJson \"[]\") }}x{{ else }}empty{{ end }}", "empty")]
    public void Functions_BehaveAsLoki(string template, string expected) =>
        Assert.Equal(expected, Run.Format(template, "", 0, ("path", "/a b/c"), ("status", "404")));

    [Theory]
    [InlineData("{{ __timestamp__ | date \"2006-01-02T15:04:05.000Z07:00\" }}", "2020-09-25T20:01:02.123Z")]
    [InlineData("{{ __timestamp__ | unixEpoch }} {{ __timestamp__ | unixEpochMillis }} {{ __timestamp__ | unixEpochNanos }}", "1601064062 1601064062123 1601064062123456789")]
    [InlineData("{{ __timestamp__ }}", "2020-09-25 20:01:02.123456789 +0000 UTC")]
    [InlineData("{{ date \"Mon Jan _2 03:04:05 PM 2006\" __timestamp__ }}", "Fri Sep 25 08:01:02 PM 2020")]
    [InlineData("{{ toDate \"2006-01-02\" \"2021-11-02\" | unixEpoch }}", "1635811200")]
    [InlineData("{{ toDateInZone \"2006-01-02 15:04\" \"America/New_York\" \"2021-11-02 08:00\" | unixEpoch }}", "1635854400")]
    [InlineData("{{ unixToTime \"1679577215\" | unixEpoch }} {{ unixToTime \"19373\" | unixEpoch }}", "1679577215 1673827200")]
    [InlineData("{{ toDate \"2006-01-02T15:04:05Z07:00\" \"2021-11-02T10:00:00+02:00\" | date \"15:04 -0700\" }}", "10:00 +0200")]
    public void TimeFunctions_UseGoLayouts(string template, string expected) =>
        Assert.Equal(expected, Run.Format(template, "", 1601064062123456789L));

    [Fact]
    public void Line_IsAvailableThroughLineFunction() =>
        Assert.Equal("[original] x", Run.Format("[{{ __line__ }}] {{ .a }}", "original", 0, ("a", "x")));

    [Theory]
    [InlineData("{{ .a", "invalid line template: template: line:1: unclosed action")]
    [InlineData("{{ nosuch .a }}", "invalid line template: template: line:1: function \"nosuch\" not defined")]
    [InlineData("{{ if .a }}x", "invalid line template: template: line:1: unexpected EOF in if")]
    [InlineData("{{ end }}", "invalid line template: template: line:1: unexpected {{end}}")]
    [InlineData("{{ break }}", "invalid line template: template: line:1: {{break}} outside {{range}}")]
    public void InvalidTemplate_IsRejectedAtCompileTime(string template, string expected)
    {
        Assert.False(LineFormatStage.TryCreate(template, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Theory]
    [InlineData("{{ div 1 0 }}", "error calling div: runtime error: integer divide by zero")]
    [InlineData("{{ .a.b }}", "can't evaluate field b in type string")]
    [InlineData("{{ upper 5 }}", "error calling upper: wrong type for value; expected string; got int")]
    [InlineData("{{ unixToTime \"123\" }}", "did not match any expected format")]
    [InlineData("{{ .a 1 }}", "can't give argument to non-function .a")]
    public void ExecutionError_SetsTemplateFormatErrAndKeepsLine(string template, string detailsPart)
    {
        var (kept, line, labels) = Run.Stages("orig", [Run.LineFormat(template)], Run.Labels(("a", "x")));
        Assert.True(kept);
        Assert.Equal("orig", line);
        Assert.Contains("__error__=\"TemplateFormatErr\"", labels);
        Assert.Contains(detailsPart, labels);
    }

    [Theory]
    [InlineData("{{ repeat 100000000 \"abcdefgh\" }}")]
    [InlineData("{{ range 100000000 }}x{{ end }}")]
    [InlineData("{{ range 9000 }}{{ range 9000 }}{{ end }}{{ end }}")]
    [InlineData("{{ indent 100000000 \"a\" }}")]
    [InlineData("{{ printf \"%999999d\" 1 }}{{ printf \"%999999d\" 1 }}")]
    public void HostileTemplate_IsBounded(string template)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var (_, _, labels) = Run.Stages("l", [Run.LineFormat(template)]);
        Assert.Contains("__error__=\"TemplateFormatErr\"", labels);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }

    [Fact]
    public void LabelFormat_RendersRenamesAndUsesLabelsFromStageStart()
    {
        Assert.True(LabelFormatStage.TryCreate(
        [
            LabelFormat.Template("combined", "{{ .a }}-{{ .b }}"),
            LabelFormat.RenameFrom("renamed", "b"),
            LabelFormat.Template("const", "fixed"),
        ], out var stage, out var error), error);
        var (_, line, labels) = Run.Stages("line", [stage!], Run.Labels(("a", "1"), ("b", "2")));
        Assert.Equal("line", line);
        Assert.Equal("""{a="1", combined="1-2", const="fixed", renamed="2"}""", labels);
    }

    [Theory]
    [InlineData("__error__", "__error__ cannot be formatted")]
    public void LabelFormat_ErrorLabelCannotBeFormatted(string name, string expected)
    {
        Assert.False(LabelFormatStage.TryCreate([LabelFormat.Template(name, "x")], out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void LabelFormat_DuplicateNameIsRejected()
    {
        Assert.False(LabelFormatStage.TryCreate([LabelFormat.Template("a", "x"), LabelFormat.RenameFrom("a", "b")], out _, out var error));
        Assert.Equal("multiple label name 'a' not allowed in a single format operation", error);
    }
}
