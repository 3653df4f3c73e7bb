using System.Text.RegularExpressions;
using Orleans.Loki.Model;

namespace Orleans.Loki.LogQL.Log;

/// <summary>A Prometheus-style label matcher (regexes fully anchored, <c>.</c> matching newlines).</summary>
public sealed class LabelMatcher
{
    private readonly Regex? _regex;

    private LabelMatcher(string name, LabelMatchType type, string value, Regex? regex)
    {
        Name = name;
        Type = type;
        Value = value;
        _regex = regex;
    }

    public string Name { get; }

    public LabelMatchType Type { get; }

    public string Value { get; }

    public static bool TryCreate(string name, LabelMatchType type, string value, out LabelMatcher? matcher, out string? error)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        matcher = null;
        Regex? regex = null;
        if (type is LabelMatchType.Regex or LabelMatchType.NotRegex)
        {
            if (!GoRegex.TryCompile("(?s:" + value + ")", anchored: true, out regex, out _, out error))
            {
                return false;
            }
        }
        error = null;
        matcher = new LabelMatcher(name, type, value, regex);
        return true;
    }

    public static LabelMatcher Equal(string name, string value) => new(name, LabelMatchType.Equal, value, null);

    public bool Matches(string value)
    {
        switch (Type)
        {
            case LabelMatchType.Equal:
                return value == Value;
            case LabelMatchType.NotEqual:
                return value != Value;
            default:
                bool m;
                try
                {
                    m = _regex!.IsMatch(value);
                }
                catch (RegexMatchTimeoutException)
                {
                    // only backtracking fallbacks time out; a runaway match counts as no match
                    m = false;
                }
                return Type == LabelMatchType.Regex ? m : !m;
        }
    }

    public override string ToString() => Name + Type switch
    {
        LabelMatchType.Equal => "=",
        LabelMatchType.NotEqual => "!=",
        LabelMatchType.Regex => "=~",
        _ => "!~",
    } + GoQuote.Quote(Value);
}
