
namespace Orleans.Loki.LogQL.Engine;

/// <summary>A sample of one series at one evaluation step.</summary>
internal readonly record struct StepSample(KeyValuePair<string, string>[] Labels, string Key, double Value)
{
    public static StepSample Of(KeyValuePair<string, string>[] labels, double value) => new(labels, LabelSet.Format(labels), value);
}

/// <summary>The value of a sub-expression at every step: a scalar, or one vector per step.</summary>
internal sealed record StepData(double? Scalar, List<StepSample>[]? Vectors);
