using Orleans.Loki.LogQL.Engine;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Tests.Engine;

/// <summary>
/// Every place LogQL takes a regular expression speaks one dialect, Go's RE2: stream selectors, label filters, line
/// filters, <c>regexp</c> and <c>label_replace</c> agree on each construct of the table below (ASCII <c>\d \w \s</c>,
/// POSIX classes, <c>\Q..\E</c>, <c>\x{..}</c>, the <c>U</c> flag, <c>$</c> as the end of text).
/// </summary>
public sealed class Re2DialectTests
{
    private const long S = 1_000_000_000;

    /// <summary>(RE2 pattern, value, whether RE2 matches the whole value).</summary>
    public static TheoryData<string, string, bool> Table() => new()
    {
        { "[[:alpha:]]+", "abc", true },
        { "[[:alpha:]]+", "ab1", false },
        { "[^[:digit:]]+", "abc", true },
        { "[[:digit:][:upper:]]+", "A1B2", true },
        { @"\d+", "123", true },
        { @"\d+", "\u0661\u0662\u0663", false },     // Arabic-Indic digits: Unicode \d in .NET, not in RE2
        { @"\w+", "hello_1", true },
        { @"\w+", "h\u00e9llo", false },             // é is no word character in RE2
        { @"a\sb", "a b", true },
        { @"a\sb", "a\u00a0b", false },              // no-break space is not RE2 \s
        { @"a\Sb", "a\u00a0b", true },
        { @"\Qa.b\E", "a.b", true },
        { @"\Qa.b\E", "axb", false },
        { @"\x{41}+", "AA", true },
        { "(?U)a+", "aaa", true },
        { "(?i)abc", "ABC", true },
        { "a$", "a", true },
        { @"a\z", "a", true },
        { @"\pL+", "\u00e9t\u00e9", true },
        { "(?P<n>x)y", "xy", true },
    };

    private static KeyValuePair<string, string>[] L(params string[] kv) =>
        Enumerable.Range(0, kv.Length / 2).Select(i => new KeyValuePair<string, string>(kv[2 * i], kv[(2 * i) + 1])).ToArray();

    private static LogQLEngine Engine(string value) => new(new InMemoryLogQuerier(
    [
        new InputStream(L("app", "x", "v", value), [new InputEntry(1 * S, value)]),
    ]), new EngineOptions());

    private static async Task<int> CountLines(string value, string query)
    {
        var r = await Engine(value).ExecuteAsync(new QueryParams { Query = query, StartNs = 0, EndNs = 10 * S, Limit = 100 }, CancellationToken.None);
        return r.Streams!.Sum(s => s.Entries.Count);
    }

    private static async Task<string[]> Series(string value, string query)
    {
        var r = await Engine(value).ExecuteAsync(new QueryParams { Query = query, StartNs = 10 * S, EndNs = 10 * S, Instant = true }, CancellationToken.None);
        return r.Vector!.Select(v => v.LabelsString).ToArray();
    }

    [Theory]
    [MemberData(nameof(Table))]
    public async Task StreamSelector(string pattern, string value, bool matches) =>
        Assert.Equal(matches ? 1 : 0, await CountLines(value, $"{{app=\"x\", v=~`{pattern}`}}"));

    [Theory]
    [MemberData(nameof(Table))]
    public async Task NegatedStreamSelector(string pattern, string value, bool matches) =>
        Assert.Equal(matches ? 0 : 1, await CountLines(value, $"{{app=\"x\", v!~`{pattern}`}}"));

    [Theory]
    [MemberData(nameof(Table))]
    public async Task LabelFilter(string pattern, string value, bool matches) =>
        Assert.Equal(matches ? 1 : 0, await CountLines(value, $"{{app=\"x\"}} | v=~`{pattern}`"));

    [Theory]
    [MemberData(nameof(Table))]
    public async Task LineFilter(string pattern, string value, bool matches) =>
        Assert.Equal(matches ? 1 : 0, await CountLines(value, $"{{app=\"x\"}} |~ `^(?:{pattern})$`"));

    [Theory]
    [MemberData(nameof(Table))]
    public async Task RegexpParser(string pattern, string value, bool matches) =>
        Assert.Equal(matches ? 1 : 0, await CountLines(value, $"{{app=\"x\"}} | regexp `^(?P<whole>{pattern})$` | whole != \"\""));

    [Theory]
    [MemberData(nameof(Table))]
    public async Task LabelReplace(string pattern, string value, bool matches)
    {
        var series = await Series(value, $"label_replace(count_over_time({{app=\"x\"}}[10s]), \"m\", \"yes\", \"v\", `{pattern}`)");
        Assert.Equal(matches, Assert.Single(series).Contains("m=\"yes\"", StringComparison.Ordinal));
    }

    [Fact]
    public void SelectorMatchersCompileEveryTableEntry()
    {
        foreach (var row in Table())
        {
            var pattern = (string)row[0];
            Assert.True(LabelMatcher.TryCreate(LabelMatchType.Regexp, "v", pattern, out var m, out var error), pattern + ": " + error);
            Assert.Equal((bool)row[2], m!.Matches((string)row[1]));
        }
    }

    [Theory]
    [InlineData("(?P<a>x)(y)", "$1-$2", "x-y")]           // Go numbers groups by their opening parenthesis, named or not
    [InlineData("(x)(?P<b>y)", "${b}$1", "yx")]
    [InlineData("(x)", "$1y", "")]                         // Go reads "$1y" as the group named "1y", which is empty
    [InlineData("(x)", "${1}y", "xy")]
    [InlineData("(x)", "$$1", "$1")]
    [InlineData("(x)", "a$", "a$")]                        // a '$' that starts no name stays as text
    public async Task LabelReplace_ExpandsTheReplacementAsGo(string regex, string replacement, string expected)
    {
        var series = await Series("xy", $"label_replace(count_over_time({{app=\"x\"}}[10s]), \"m\", `{replacement}`, \"v\", `{regex}.*`)");
        var labels = Assert.Single(series);
        Assert.Equal(expected.Length == 0 ? "{app=\"x\", v=\"xy\"}" : $"{{app=\"x\", m=\"{expected}\", v=\"xy\"}}", labels);
    }

    [Fact]
    public void LabelReplace_RejectsAnInvalidRegexAsPrometheusDoes()
    {
        var ex = Assert.Throws<ParseException>(() => LogQLParser.Parse("label_replace(rate({foo=\"bar\"}[5m]),\"foo\",\"$1\",\"bar\",`^^^^x43\\q`)"));
        Assert.Equal("invalid regex in label_replace: error parsing regexp: invalid escape sequence: `\\q`", ex.Error);
    }
}
