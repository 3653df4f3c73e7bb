using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.Grains.Index;

/// <summary>Turns wire matchers into LogQL's compiled matchers (anchored RE2-style regexes, linear-time engine).</summary>
internal static class MatcherCompiler
{
    public static LabelMatcher[] Compile(IReadOnlyList<MatcherSpec> specs)
    {
        var result = new LabelMatcher[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var type = spec.Type switch
            {
                "=" => LabelMatchType.Equal,
                "!=" => LabelMatchType.NotEqual,
                "=~" => LabelMatchType.Regexp,
                "!~" => LabelMatchType.NotRegexp,
                _ => throw new ArgumentException($"unknown matcher type '{spec.Type}'", nameof(specs)),
            };
            result[i] = LabelMatcher.Create(type, spec.Name, spec.Value);
        }
        return result;
    }

    /// <summary>An equality matcher on a non-empty value, whose postings list can drive a lookup.</summary>
    public static bool IsSelectiveEquality(LabelMatcher matcher) => matcher.Type == LabelMatchType.Equal && matcher.Value.Length > 0;
}
