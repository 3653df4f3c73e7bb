using Orleans.Loki.LogQL.Log;
using Orleans.Loki.LogQL.Syntax;

namespace Orleans.Loki.LogQL.Engine;

/// <summary>Helpers over sorted label arrays.</summary>
internal static class LabelSet
{
    public static string Format(KeyValuePair<string, string>[] labels) => LabelsBuilder.Format(labels);

    public static KeyValuePair<string, string>[] Group(KeyValuePair<string, string>[] labels, Grouping grouping)
    {
        var result = new List<KeyValuePair<string, string>>(labels.Length);
        foreach (var l in labels)
        {
            if (grouping.Groups.Contains(l.Key) != grouping.Without)
            {
                result.Add(l);
            }
        }
        return result.ToArray();
    }

    public static KeyValuePair<string, string>[] Keep(KeyValuePair<string, string>[] labels, IReadOnlyCollection<string> names) =>
        labels.Where(l => names.Contains(l.Key)).ToArray();

    public static KeyValuePair<string, string>[] Drop(KeyValuePair<string, string>[] labels, IReadOnlyCollection<string> names) =>
        labels.Where(l => !names.Contains(l.Key)).ToArray();

    public static string? Get(KeyValuePair<string, string>[] labels, string name)
    {
        foreach (var l in labels)
        {
            if (l.Key == name)
            {
                return l.Value;
            }
        }
        return null;
    }

    public static KeyValuePair<string, string>[] Set(KeyValuePair<string, string>[] labels, string name, string value)
    {
        var list = labels.Where(l => l.Key != name).ToList();
        if (value.Length > 0)
        {
            list.Add(new(name, value));
        }
        list.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return list.ToArray();
    }

    /// <summary>Prometheus' label ordering: pairwise by name then value, shorter set first.</summary>
    public static int Compare(KeyValuePair<string, string>[] a, KeyValuePair<string, string>[] b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var c = string.CompareOrdinal(a[i].Key, b[i].Key);
            if (c != 0)
            {
                return c;
            }
            c = string.CompareOrdinal(a[i].Value, b[i].Value);
            if (c != 0)
            {
                return c;
            }
        }
        return a.Length.CompareTo(b.Length);
    }
}
