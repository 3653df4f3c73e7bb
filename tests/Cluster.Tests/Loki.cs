using System.Net;
using System.Text;
using System.Text.Json;

namespace Orleans.Loki.Cluster.Tests;

/// <summary>Pushes and queries over HTTP, as a client of the cluster.</summary>
internal static class Loki
{
    public static StringContent PushBody(string labels, IEnumerable<(long Ns, string Line)> entries)
    {
        var values = string.Join(',', entries.Select(e => $"[\"{e.Ns}\",{JsonSerializer.Serialize(e.Line)}]"));
        return new StringContent($"{{\"streams\":[{{\"stream\":{labels},\"values\":[{values}]}}]}}", Encoding.UTF8, "application/json");
    }

    public static async Task<HttpStatusCode> PushAsync(HttpClient client, string labels, long ns, string line)
    {
        using var response = await client.PostAsync("/loki/api/v1/push", PushBody(labels, [(ns, line)]));
        return response.StatusCode;
    }

    /// <summary>Every line of the selector between the two times (forward, one page of up to 5000).</summary>
    public static async Task<List<string>> LinesAsync(HttpClient client, string selector, long startNs, long endNs)
    {
        var url = $"/loki/api/v1/query_range?query={Uri.EscapeDataString(selector)}&start={startNs}&end={endNs}&limit=5000&direction=forward";
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {body}");
        using var doc = JsonDocument.Parse(body);
        var lines = new List<string>();
        foreach (var stream in doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray())
        {
            foreach (var value in stream.GetProperty("values").EnumerateArray())
            {
                lines.Add(value[1].GetString()!);
            }
        }
        Assert.True(lines.Count < 5000, "more lines than one page");
        return lines;
    }

    /// <summary>Active grains per grain type on each silo, from <c>/cluster/silos</c> of <paramref name="client"/>.</summary>
    public static async Task<Dictionary<string, (string Target, Dictionary<string, int> Grains)>> SilosAsync(HttpClient client)
    {
        var body = await client.GetStringAsync("/cluster/silos");
        using var doc = JsonDocument.Parse(body);
        var result = new Dictionary<string, (string, Dictionary<string, int>)>();
        foreach (var silo in doc.RootElement.GetProperty("silos").EnumerateArray())
        {
            if (silo.GetProperty("status").GetString() != "Active")
            {
                continue;
            }
            var grains = new Dictionary<string, int>();
            foreach (var g in silo.GetProperty("grains").EnumerateObject())
            {
                grains[g.Name] = g.Value.GetInt32();
            }
            result[silo.GetProperty("address").GetString()!] = (silo.GetProperty("target").GetString()!, grains);
        }
        return result;
    }

    public static long NowNs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
}
