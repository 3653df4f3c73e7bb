using System.Text.RegularExpressions;
using Orleans.Loki.Grains.Abstractions;

namespace Orleans.Loki.Grains.Index;

/// <summary>A compiled label matcher; regexes are fully anchored as in Prometheus and Loki.</summary>
internal sealed class LabelMatcher
{
    private readonly Regex? _regex;

    public LabelMatcher(MatcherSpec spec)
    {
        Name = spec.Name;
        Type = spec.Type;
        Value = spec.Value;
        if (Type is "=~" or "!~")
        {
            _regex = new Regex("^(?:" + Value + ")$", RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromSeconds(1));
        }
        else if (Type is not ("=" or "!="))
        {
            throw new ArgumentException($"unknown matcher type '{Type}'", nameof(spec));
        }
    }

    public string Name { get; }
    public string Type { get; }
    public string Value { get; }

    /// <summary>True for an equality matcher on a non-empty value, whose postings list can drive a lookup.</summary>
    public bool IsSelectiveEquality => Type == "=" && Value.Length > 0;

    /// <summary>Matches a label's value; an absent label has the value "".</summary>
    public bool Matches(string value) => Type switch
    {
        "=" => value == Value,
        "!=" => value != Value,
        "=~" => _regex!.IsMatch(value),
        _ => !_regex!.IsMatch(value),
    };

    public static LabelMatcher[] Compile(IReadOnlyList<MatcherSpec> specs)
    {
        var result = new LabelMatcher[specs.Count];
        for (var i = 0; i < specs.Count; i++)
        {
            result[i] = new LabelMatcher(specs[i]);
        }
        return result;
    }
}
