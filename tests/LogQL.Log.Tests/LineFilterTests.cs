namespace Orleans.Loki.LogQL.Log.Tests;

public sealed class LineFilterTests
{
    [Theory]
    [InlineData("error", "level=error msg=x", true)]
    [InlineData("error", "level=info", false)]
    [InlineData("", "", true)]
    [InlineData("é", "café au lait", true)]
    public void Contains_MatchesSubstring(string literal, string line, bool expected) =>
        Assert.Equal(expected, Run.Matches(LineFilter.Contains(literal), line));

    [Theory]
    [InlineData("error", "level=info", true)]
    [InlineData("error", "an error", false)]
    [InlineData("", "", false)]
    [InlineData("", "x", true)]
    public void NotContains_InvertsAndEmptyLiteralKeepsNonEmptyLines(string literal, string line, bool expected) =>
        Assert.Equal(expected, Run.Matches(LineFilter.NotContains(literal), line));

    [Theory]
    [InlineData("ERROR", "an Error here", true)]
    [InlineData("error", "no match", false)]
    [InlineData("ÉTÉ", "un été chaud", true)]
    public void ContainsIgnoreCase_FoldsCase(string literal, string line, bool expected) =>
        Assert.Equal(expected, Run.Matches(LineFilter.Contains(literal, ignoreCase: true), line));

    [Theory]
    [InlineData("err.*timeout", "err: connection timeout", true)]
    [InlineData("err.*timeout", "timeout then err", false)]
    [InlineData("(?i)error", "ERROR x", true)]
    [InlineData("^foo", "foo bar", true)]
    [InlineData("^foo", "a foo", false)]
    [InlineData("bar$", "foo bar", true)]
    [InlineData("bar$", "bar\n", false)]
    [InlineData(@"\d{3}", "code 404", true)]
    [InlineData(@"\d", "٣", false)]
    [InlineData("(?P<x>a+)b", "caab", true)]
    [InlineData("a|b|c", "xxcxx", true)]
    [InlineData("a|b|c", "xxx", false)]
    [InlineData("[[:digit:]]+ms", "took 15ms", true)]
    [InlineData(@"\Qa.b\E", "a.b", true)]
    [InlineData(@"\Qa.b\E", "axb", false)]
    [InlineData("", "anything", true)]
    public void Regex_FollowsGoSemantics(string pattern, string line, bool expected) =>
        Assert.Equal(expected, Run.Matches(Run.Regex(pattern), line));

    [Theory]
    [InlineData("(?=x)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`")]
    [InlineData(@"(a)\1", "error parsing regexp: invalid escape sequence: `\\1`")]
    [InlineData("(abc", "error parsing regexp: missing closing ): `(abc`")]
    [InlineData("abc)", "error parsing regexp: unexpected ): `abc)`")]
    [InlineData("a**", "error parsing regexp: invalid nested repetition operator: `**`")]
    [InlineData("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`")]
    public void Regex_RejectsWhatGoRejects(string pattern, string expected)
    {
        Assert.False(LineFilter.TryRegex(pattern, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Or_MatchesAnyAlternative()
    {
        var f = LineFilter.Or(LineFilter.Contains("a1"), LineFilter.Contains("b2"));
        Assert.True(Run.Matches(f, "x b2 y"));
        Assert.False(Run.Matches(f, "x y"));
    }

    [Theory]
    [InlineData("<_> foo <_>", "bar foo baz", true)]
    [InlineData("<_> foo <_>", "bar fo baz", false)]
    [InlineData("GET <_> 200", "GET /x 200", true)]
    [InlineData("GET <_> 200", "GET /x 200 extra", false)]
    [InlineData("GET <_> 200", "POST /x 200", false)]
    public void Pattern_MatchesWholeLine(string pattern, string line, bool expected)
    {
        Assert.True(LineFilter.TryPattern(pattern, out var f, out var error), error);
        Assert.Equal(expected, Run.Matches(f, line));
    }

    // Examples from Loki's "Matching IP addresses" documentation.
    [Theory]
    [InlineData("192.168.4.5", "from 192.168.4.5 ok", true)]
    [InlineData("192.168.4.5", "from 192.168.4.50 ok", false)]
    [InlineData("192.168.4.5-192.168.4.20", "client=192.168.4.10:443", true)]
    [InlineData("192.168.4.5-192.168.4.20", "client=192.168.4.21", false)]
    [InlineData("192.168.4.0/24", "src=192.168.4.255 dst=10.0.0.1", true)]
    [InlineData("192.168.4.0/24", "src=192.168.5.1", false)]
    [InlineData("::1", "connect [::1]:80", true)]
    [InlineData("2001:db8::/32", "addr 2001:db8:0:1::5 up", true)]
    [InlineData("2001:db8::/32", "addr 2001:db9::5 up", false)]
    [InlineData("10.0.0.1", "ended at 10.0.0.1.", true)]
    public void Ip_FindsAddressesAnywhereInTheLine(string pattern, string line, bool expected)
    {
        Assert.True(LineFilter.TryIp(pattern, out var f, out var error), error);
        Assert.Equal(expected, Run.Matches(f, line));
    }

    [Theory]
    [InlineData("192.168.0.256")]
    [InlineData("192.168.0.1-::1")]
    [InlineData("10.0.0.0/33")]
    [InlineData("010.0.0.1")]
    public void Ip_InvalidPatternIsRejected(string pattern) =>
        Assert.False(LineFilter.TryIp(pattern, out _, out _));

    [Fact]
    public void Stage_DropsLinesThatDoNotMatch()
    {
        var (kept, _, _) = Run.Stage("nothing here", new LineFilterStage(LineFilter.Contains("error")));
        Assert.False(kept);
    }
}
