namespace Orleans.Loki.LogQL.Log;

/// <summary>A cheap label reduction: keep only some names (<c>by</c>) or remove some (<c>without</c>).</summary>
public sealed class LabelGrouping
{
    private readonly HashSet<string> _names;

    private LabelGrouping(IEnumerable<string> names, bool without, bool identity)
    {
        _names = new HashSet<string>(names, StringComparer.Ordinal);
        Without = without;
        IsIdentity = identity;
    }

    /// <summary>Keeps every label.</summary>
    public static LabelGrouping None { get; } = new([], without: true, identity: true);

    public static LabelGrouping By(IEnumerable<string> names) => new(names, without: false, identity: false);

    public static LabelGrouping WithoutNames(IEnumerable<string> names)
    {
        var set = names.ToArray();
        return new(set, without: true, identity: set.Length == 0);
    }

    public bool Without { get; }

    public bool IsIdentity { get; }

    public IReadOnlyCollection<string> Names => _names;

    public bool Keeps(string name) => _names.Contains(name) != Without;

    /// <summary>Returns a grouping that additionally removes <paramref name="name"/>.</summary>
    internal LabelGrouping Excluding(string name)
    {
        if (Without)
        {
            return new LabelGrouping(_names.Append(name), without: true, identity: false);
        }
        return _names.Contains(name) ? new LabelGrouping(_names.Where(n => n != name), without: false, identity: false) : this;
    }
}
