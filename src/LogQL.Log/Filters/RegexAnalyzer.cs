using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

/// <summary>
/// Extracts literals from a parsed regex: the finite set of strings it can match (when small), and the
/// literals every match must contain, so <c>|~ "err.*timeout"</c> can skip lines with two IndexOf calls.
/// </summary>
internal static class RegexAnalyzer
{
    private const int MaxExact = 32;
    private const int MaxRequired = 4;

    internal sealed class Info
    {
        /// <summary>All strings the node can match, or null when unknown/too many.</summary>
        public List<RequiredLiteral>? Exact;

        /// <summary>True when an exact string mixes case-sensitive and case-insensitive parts (usable only as a pre-filter).</summary>
        public bool Lossy;

        public bool HasAssertion;

        public List<RequiredLiteral> Required = [];
    }

    public sealed record Result(IReadOnlyList<RequiredLiteral>? ExactAlternatives, bool MatchesEverything, IReadOnlyList<RequiredLiteral> Required);

    /// <summary>
    /// The case-sensitive literal every match starts with (after a leading <c>.*</c>, which an unanchored test may
    /// drop), or "". A line can only match from an occurrence of it on, so the regex need not see what comes before.
    /// </summary>
    public static string LeadingLiteral(RegexNode node)
    {
        if (node is not RegexConcat c)
        {
            return "";
        }
        var items = c.Items;
        var i = 0;
        while (i < items.Count - 1 && IsDotStar(items[i]))
        {
            i++;
        }
        var text = new System.Text.StringBuilder();
        for (; i < items.Count && items[i] is RegexLiteral { IgnoreCase: false } l; i++)
        {
            text.Append(l.Text);
        }
        return text.ToString();
    }

    public static Result Analyze(RegexNode node)
    {
        // An unanchored match ignores a leading or trailing ".*": it can always match the empty string.
        if (node is RegexConcat c)
        {
            var items = c.Items.ToList();
            while (items.Count > 1 && IsDotStar(items[0]))
            {
                items.RemoveAt(0);
            }
            while (items.Count > 1 && IsDotStar(items[^1]))
            {
                items.RemoveAt(items.Count - 1);
            }
            node = items.Count == 1 ? items[0] : new RegexConcat(items);
        }
        var info = Walk(node);
        var required = new List<RequiredLiteral>(info.Required);
        if (info.Exact is { Count: 1 } && info.Exact[0].Value.Length > 0)
        {
            required.Add(info.Exact[0]);
        }
        required = required.Where(r => r.Value.Length > 0).Distinct().OrderByDescending(r => r.Value.Length).Take(MaxRequired).ToList();
        if (!info.HasAssertion && info.Exact is not null && !info.Lossy)
        {
            if (info.Exact.Any(e => e.Value.Length == 0))
            {
                return new Result(null, MatchesEverything: true, []);
            }
            return new Result(info.Exact.Distinct().ToList(), false, required);
        }
        return new Result(null, false, required);
    }

    private static bool IsDotStar(RegexNode n) => n is RegexRepeat { Min: 0, Max: -1, Item: RegexSet { DotNet: "." } };

    private static Info Walk(RegexNode node)
    {
        switch (node)
        {
            case RegexLiteral l:
                return new Info { Exact = [new RequiredLiteral(l.Text, l.IgnoreCase)] };
            case RegexSet:
                return new Info();
            case RegexAssertion:
                return new Info { Exact = [new RequiredLiteral("", false)], HasAssertion = true };
            case RegexFlags:
                return new Info { Exact = [new RequiredLiteral("", false)] };
            case RegexGroup g:
                return Walk(g.Item);
            case RegexConcat c:
                return Concat(c.Items);
            case RegexAlternate a:
                return Alternate(a.Items);
            case RegexRepeat r:
                return Repeat(r);
            default:
                return new Info();
        }
    }

    private static Info Concat(IReadOnlyList<RegexNode> items)
    {
        var result = new Info();
        List<RequiredLiteral>? cur = [new RequiredLiteral("", false)];
        var flushed = false;
        foreach (var item in items)
        {
            var part = Walk(item);
            result.HasAssertion |= part.HasAssertion;
            result.Lossy |= part.Lossy;
            result.Required.AddRange(part.Required);
            if (cur is not null && part.Exact is not null && cur.Count * part.Exact.Count <= MaxExact)
            {
                var next = new List<RequiredLiteral>(cur.Count * part.Exact.Count);
                foreach (var a in cur)
                {
                    foreach (var b in part.Exact)
                    {
                        next.Add(Join(a, b, ref result.Lossy));
                    }
                }
                cur = next;
                continue;
            }
            Flush(result, cur);
            flushed = true;
            cur = part.Exact;
        }
        if (flushed)
        {
            Flush(result, cur);
            result.Exact = null;
        }
        else
        {
            result.Exact = cur;
        }
        return result;
    }

    private static void Flush(Info into, List<RequiredLiteral>? exact)
    {
        if (exact is { Count: 1 } && exact[0].Value.Length > 0)
        {
            into.Required.Add(exact[0]);
        }
        else if (exact is { Count: > 1 })
        {
            // Several alternatives: their common prefix is still required.
            var prefix = CommonPrefix(exact);
            if (prefix.Value.Length > 0)
            {
                into.Required.Add(prefix);
            }
        }
    }

    private static RequiredLiteral CommonPrefix(List<RequiredLiteral> list)
    {
        var first = list[0].Value;
        var ic = list[0].IgnoreCase;
        var n = first.Length;
        foreach (var e in list)
        {
            if (e.IgnoreCase != ic)
            {
                return default(RequiredLiteral) with { Value = "" };
            }
            n = Math.Min(n, first.AsSpan().CommonPrefixLength(e.Value));
        }
        return new RequiredLiteral(first[..n], ic);
    }

    private static RequiredLiteral Join(RequiredLiteral a, RequiredLiteral b, ref bool lossy)
    {
        if (a.Value.Length == 0)
        {
            return b;
        }
        if (b.Value.Length == 0)
        {
            return a;
        }
        if (a.IgnoreCase != b.IgnoreCase)
        {
            lossy = true;
        }
        return new RequiredLiteral(a.Value + b.Value, a.IgnoreCase || b.IgnoreCase);
    }

    private static Info Alternate(IReadOnlyList<RegexNode> items)
    {
        var result = new Info { Exact = [] };
        foreach (var item in items)
        {
            var part = Walk(item);
            result.HasAssertion |= part.HasAssertion;
            result.Lossy |= part.Lossy;
            if (result.Exact is not null && part.Exact is not null && result.Exact.Count + part.Exact.Count <= MaxExact)
            {
                result.Exact.AddRange(part.Exact);
            }
            else
            {
                result.Exact = null;
            }
        }
        return result;
    }

    private static Info Repeat(RegexRepeat r)
    {
        var inner = Walk(r.Item);
        var result = new Info { HasAssertion = inner.HasAssertion, Lossy = inner.Lossy };
        if (r.Min == 0 && r.Max == 1 && inner.Exact is not null && inner.Exact.Count < MaxExact)
        {
            result.Exact = [new RequiredLiteral("", false), .. inner.Exact];
            return result;
        }
        if (r.Min >= 1)
        {
            result.Required.AddRange(inner.Required);
            Flush(result, inner.Exact);
        }
        else
        {
            // x* and x{0,n} can match the empty string: nothing is required.
            result.Exact = null;
        }
        return result;
    }
}
