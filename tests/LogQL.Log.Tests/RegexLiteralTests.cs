using System.Text;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log.Tests;

public sealed class RegexLiteralTests
{
    // pattern → literals every match must contain ("i:" marks case-insensitive)
    [Theory]
    [InlineData("foo.*bar", "bar,foo")]
    [InlineData("err.*timeout", "err,timeout")]
    [InlineData("(?i)error", "i:error")]
    [InlineData("^GET /api/.*HTTP", "GET /api/,HTTP")]
    [InlineData("status=(4|5)\\d\\d", "status=")]
    [InlineData("(foo|foobar)x", "")]
    [InlineData("a+b", "a,b")]
    [InlineData("x*", "")]
    [InlineData("[0-9]+", "")]
    [InlineData("abc|def", "")]
    public void RequiredLiterals_AreExtracted(string pattern, string expected)
    {
        var f = Run.Regex(pattern);
        var got = LineFilters.RequiredLiterals([f]).Select(r => (r.IgnoreCase ? "i:" : "") + r.Value).Order(StringComparer.Ordinal);
        Assert.Equal(expected, string.Join(',', got));
    }

    [Theory]
    [InlineData("a|b|c")]
    [InlineData("foo")]
    [InlineData("(?i)error|warn")]
    [InlineData(".*timeout.*")]
    public void LiteralAlternations_RunWithoutRegex(string pattern) =>
        Assert.IsNotType<RegexFilter>(Run.Regex(pattern));

    [Fact]
    public void TryGetRequiredLiteral_PicksLongestCaseSensitiveLiteral()
    {
        Assert.True(LineFilters.TryGetRequiredLiteral([LineFilter.Contains("ab"), Run.Regex("x.*longer")], out var lit));
        Assert.Equal("longer", lit);
        Assert.False(LineFilters.TryGetRequiredLiteral([LineFilter.NotContains("x")], out _));
    }

    [Fact]
    public void RequiredLiterals_OfPipelineStopAtFirstNonFilterStage()
    {
        var p = new Pipeline([new LineFilterStage(LineFilter.Contains("a")), new JsonParser(), new LineFilterStage(LineFilter.Contains("b"))]);
        Assert.Equal([new RequiredLiteral("a", false)], LineFilters.RequiredLiterals(p));
    }

    // The pre-filtered/literal-rewritten filter must agree with the plain .NET regex on random lines.
    [Theory]
    [InlineData("err.*timeout")]
    [InlineData("(?i)error|warn")]
    [InlineData("a(b|c)d")]
    [InlineData("ab?c")]
    [InlineData("(?i)Ab.*cD")]
    [InlineData("x[ab]+y")]
    [InlineData("foo|ba(r|z)")]
    [InlineData("^ab|cd$")]
    [InlineData("a.c")]
    public void PrefilteredRegex_AgreesWithPlainRegex(string pattern)
    {
        var filter = Run.Regex(pattern);
        Assert.True(GoRegexParser.TryParse(pattern, out var tree, out _));
        var plain = new System.Text.RegularExpressions.Regex(RegexRenderer.Render(tree!));
        var rnd = new Random(42);
        const string alphabet = "abcdxyzABCD errotimeuwnEROTIMWNfz\n";
        for (var i = 0; i < 3000; i++)
        {
            var len = rnd.Next(0, 24);
            var sb = new StringBuilder(len);
            for (var k = 0; k < len; k++)
            {
                sb.Append(alphabet[rnd.Next(alphabet.Length)]);
            }
            var line = sb.ToString();
            Assert.True(plain.IsMatch(line) == Run.Matches(filter, line), $"pattern {pattern} disagrees on {line}");
        }
    }

    [Fact]
    public void CatastrophicRegex_RunsInLinearTime()
    {
        var f = Run.Regex("(a+)+$");
        var line = new string('a', 20_000) + "!";
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(Run.Matches(f, line));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }

    [Theory]
    [InlineData("user_id=u-12[0-9]+ ", "user_id=u-12")]
    [InlineData(".*err=[a-z]+", "err=")]
    [InlineData("^err=[a-z]+", "")]
    [InlineData("\\berr=[a-z]+", "")]
    [InlineData("(?i)err=[a-z]+", "")]
    [InlineData("a+b", "")]
    [InlineData("ab+", "a")]
    [InlineData("ab|cd", "")]
    public void LeadingLiteral_IsTheCaseSensitivePrefixOfEveryMatch(string pattern, string expected)
    {
        Assert.True(GoRegexParser.TryParse(pattern, out var tree, out var error), error);
        Assert.Equal(expected, RegexAnalyzer.LeadingLiteral(tree!));
    }

    [Theory]
    [InlineData("user_id=u-12[0-9]+ ", "user_id=u-1 user_id=u-125 x", true)]
    [InlineData("user_id=u-12[0-9]+ ", "user_id=u-12 user_id=u-12x", false)]
    [InlineData("ab+c$", "ab abbbc", true)]
    [InlineData("ab+c$", "abbbc ab", false)]
    [InlineData("é+x", "aé éex éx", true)]
    public void Regex_WithLeadingLiteral_MatchesFromAnyOccurrence(string pattern, string line, bool expected) =>
        Assert.Equal(expected, Run.Matches(Run.Regex(pattern), line));
}
