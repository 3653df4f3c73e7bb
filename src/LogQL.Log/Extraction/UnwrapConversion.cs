namespace Orleans.Loki.LogQL.Log;

/// <summary>How an unwrapped label value becomes a sample: <c>unwrap x</c>, <c>unwrap duration(x)</c>, <c>unwrap bytes(x)</c>.</summary>
public enum UnwrapConversion
{
    None = 0,
    Duration = 1,
    DurationSeconds = 2,
    Bytes = 3,
}
