using System.Text;
using Orleans.Loki.LogQL.Syntax;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Tests.Syntax;

public sealed class ParserFuzzTests
{
    private static readonly string[] s_fragments =
    [
        "{", "}", "(", ")", "[", "]", "[5m]", "|", "|=", "!=", "|~", "!~", "|>", "!>", "=", "==", "=~", ",", "\"", "`", "\\", "#",
        " or ", " and ", " unless ", " by ", " without ", " bool ", " on ", " ignoring ", " group_left ", " offset ", " unwrap ",
        "json", "logfmt", "--strict", "regexp", "pattern", "line_format", "label_format", "drop", "keep", "ip(", "vector(",
        "sum", "rate(", "topk(", "count_over_time(", "quantile_over_time(0.5,", "label_replace(", "1", "-1", "0.5", "1e9", "5m", "1KB",
        "a", "_x", "\"s\"", "+", "-", "*", "/", "%", "^", ">", ">=", "<", "<=", "\n", " ", "é", "\u0000", "((((",
    ];

    [Fact]
    public void Parse_MutatedQueries_ReturnTreeOrParseExceptionOnly()
    {
        var corpus = QueryCorpus.ValidQueries.ToArray();
        var random = new Random(20240611);
        var parsed = 0;
        for (var i = 0; i < 4000; i++)
        {
            var query = Mutate(random, corpus);
            Expr? expr;
            try
            {
                if (!LogQLParser.TryParse(query, out expr, out var error))
                {
                    Assert.NotNull(error);
                    Assert.StartsWith("parse error", error.Message, StringComparison.Ordinal);
                    continue;
                }
            }
            catch (Exception e)
            {
                Assert.Fail($"query {Quote(query)} threw {e.GetType().Name}: {e.Message}");
                return;
            }
            parsed++;
            // Whatever parses must print to a query that parses back to the same tree.
            var printed = expr.ToString();
            Assert.True(LogQLParser.TryParse(printed, out var again, out var reError), $"{Quote(query)} printed as {Quote(printed)}: {reError?.Message}");
            Assert.Equal(expr, again);
        }
        Assert.True(parsed > 100, $"only {parsed} mutated queries parsed; the mutations are too destructive to test round-trips");
    }

    private static string Mutate(Random random, string[] corpus)
    {
        var s = new StringBuilder(corpus[random.Next(corpus.Length)]);
        var rounds = 1 + random.Next(3);
        for (var r = 0; r < rounds; r++)
        {
            var pos = s.Length == 0 ? 0 : random.Next(s.Length + 1);
            switch (random.Next(5))
            {
                case 0 when s.Length > 0:
                    s.Remove(Math.Min(pos, s.Length - 1), Math.Min(1 + random.Next(4), s.Length - Math.Min(pos, s.Length - 1)));
                    break;
                case 1:
                    s.Insert(pos, s_fragments[random.Next(s_fragments.Length)]);
                    break;
                case 2:
                    {
                        var other = corpus[random.Next(corpus.Length)];
                        var cut = random.Next(other.Length + 1);
                        s.Length = pos;
                        s.Append(other, cut, other.Length - cut);
                        break;
                    }
                case 3 when s.Length > 0:
                    {
                        var start = random.Next(s.Length);
                        var len = random.Next(Math.Min(12, s.Length - start) + 1);
                        s.Insert(pos, s.ToString(start, len));
                        break;
                    }
                default:
                    s.Insert(pos, (char)random.Next(32, 127));
                    break;
            }
        }
        return s.ToString();
    }

    private static string Quote(string s) => GoQuote.Quote(s);
}
