namespace Orleans.Loki.Bench.Generation;

/// <summary>The shape of the lines a generated stream carries (also its <c>format</c> label).</summary>
public enum LineFormat
{
    /// <summary>Go-style structured logfmt (<c>ts=... level=info path=/api/v1/users status=200 ...</c>).</summary>
    Logfmt = 1,

    /// <summary>One JSON object per line (<c>{"level":"error","path":...}</c>).</summary>
    Json = 2,

    /// <summary>nginx combined access log with the request time appended.</summary>
    Nginx = 3,
}
