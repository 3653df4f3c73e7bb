using Orleans.Loki.Grains.Abstractions;
using Orleans.Loki.Model;

namespace Orleans.Loki.Grains.Index;

/// <summary>Turns wire matchers into Model's compiled matchers (anchored RE2-style regexes, linear-time engine).</summary>
internal static class MatcherCompiler
{
    public static LabelMatcher[] Compile(IReadOnlyList<MatcherSpec> specs)
    {
        var result = new LabelMatcher[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            if (!LabelMatcher.TryParseOperator(spec.Type, out var type))
            {
                throw new ArgumentException($"unknown matcher type '{spec.Type}'", nameof(specs));
            }
            result[i] = LabelMatcher.Create(type, spec.Name, spec.Value);
        }
        return result;
    }

    /// <summary>An equality matcher on a non-empty value, whose postings list can drive a lookup.</summary>
    public static bool IsSelectiveEquality(LabelMatcher matcher) => matcher.Type == LabelMatchType.Equal && matcher.Value.Length > 0;
}
