using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Orleans.Loki.Gateway.Tests;

/// <summary>Issues Loki query requests and reads the parts of the answers the tests compare.</summary>
internal static class QueryClient
{
    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient http, string path, params (string Name, string Value)[] parameters)
    {
        var query = string.Join("&", parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));
        using var response = await http.GetAsync($"{path}?{query}");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public static Task<(HttpStatusCode Status, string Body)> RangeAsync(HttpClient http, string query, long startNs, long endNs, long stepNs, int limit = 100, string direction = "backward") =>
        GetAsync(http, "/loki/api/v1/query_range", ("query", query), ("start", Ns(startNs)), ("end", Ns(endNs)),
            ("step", (stepNs / 1e9).ToString(CultureInfo.InvariantCulture)), ("limit", limit.ToString(CultureInfo.InvariantCulture)), ("direction", direction));

    public static Task<(HttpStatusCode Status, string Body)> InstantAsync(HttpClient http, string query, long timeNs) =>
        GetAsync(http, "/loki/api/v1/query", ("query", query), ("time", Ns(timeNs)));

    /// <summary><c>data.result</c> of a successful answer, as raw JSON text.</summary>
    public static string Result(string body)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("data").GetProperty("result").GetRawText();
    }

    /// <summary>The entries of a streams result as <c>pod ts line</c> lines, streams in answer order.</summary>
    public static List<string> StreamEntries(string body)
    {
        using var doc = JsonDocument.Parse(body);
        var result = new List<string>();
        foreach (var stream in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var pod = stream.GetProperty("stream").GetProperty("pod").GetString();
            foreach (var value in stream.GetProperty("values").EnumerateArray())
            {
                result.Add($"{pod} {value[0].GetString()} {value[1].GetString()}");
            }
        }
        return result;
    }

    /// <summary>The points of a matrix result: series labels text → (ts seconds, value text).</summary>
    public static Dictionary<string, List<(double Ts, string Value)>> Matrix(string body)
    {
        using var doc = JsonDocument.Parse(body);
        var result = new Dictionary<string, List<(double, string)>>();
        foreach (var series in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            var labels = string.Join(",", series.GetProperty("metric").EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}"));
            result[labels] = [.. series.GetProperty("values").EnumerateArray().Select(v => (v[0].GetDouble(), v[1].GetString()!))];
        }
        return result;
    }

    private static string Ns(long ns) => ns.ToString(CultureInfo.InvariantCulture);
}
