using System.Globalization;

namespace Orleans.Loki.Gateway.Detected;

/// <summary>
/// Loki's rules for which stream labels detected_labels reports: <c>cluster</c>, <c>namespace</c>, <c>instance</c> and
/// <c>pod</c> whenever they have values; any other label unless all its values look like ids (numbers or UUIDs), where
/// a label with at most two values all <c>0</c>/<c>1</c> counts as a boolean, not an id.
/// </summary>
internal static class DetectedLabels
{
    private static readonly HashSet<string> s_static = new(StringComparer.Ordinal) { "cluster", "namespace", "instance", "pod" };

    public static bool Keep(string label, IReadOnlyCollection<string> values)
    {
        if (s_static.Contains(label))
        {
            return values.Count > 0;
        }
        return !Reject(values);
    }

    private static bool Reject(IReadOnlyCollection<string> values)
    {
        if (values.Count == 0)
        {
            return true;
        }
        if (values.Count > 2)
        {
            return AllIds(values);
        }
        foreach (var v in values)
        {
            if (v is not ("0" or "1"))
            {
                return AllIds(values);
            }
        }
        return false;
    }

    private static bool AllIds(IReadOnlyCollection<string> values)
    {
        foreach (var v in values)
        {
            if (!FieldTypes.IsGoFloat(v) && !IsGoInt(v) && !Guid.TryParse(v, out _))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsGoInt(string v) => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
}
