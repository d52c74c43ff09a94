namespace SmtpFailoverProxy.Admin;

/// <summary>
/// <c>smtp-proxy admin ...</c>: the operator's CLI over the admin API of a running proxy.
/// <code>
/// smtp-proxy admin status
/// smtp-proxy admin primary gmail        (switch now, no restart)
/// smtp-proxy admin primary --clear      (back to the configured primary)
/// smtp-proxy admin isolate ses | reset ses
/// </code>
/// <c>--admin URL</c> names the API (default http://127.0.0.1:8025).
/// </summary>
internal static class AdminCommand
{
    private const string Usage = "Usage: smtp-proxy admin status | primary NAME | primary --clear | isolate NAME | reset NAME [--admin http://127.0.0.1:8025]";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var list = args.ToList();
        var baseUrl = "http://127.0.0.1:8025";
        var at = list.IndexOf("--admin");
        if (at >= 0 && at + 1 < list.Count)
        {
            baseUrl = list[at + 1];
            list.RemoveRange(at, 2);
        }

        HttpRequestMessage? request = list switch
        {
            ["status"] => new(HttpMethod.Get, "/status"),
            ["primary", "--clear"] => new(HttpMethod.Delete, "/routing/primary"),
            ["primary", var name] => new(HttpMethod.Put, $"/routing/primary/{Uri.EscapeDataString(name)}"),
            ["isolate", var name] => new(HttpMethod.Post, $"/circuits/{Uri.EscapeDataString(name)}/isolate"),
            ["reset", var name] => new(HttpMethod.Post, $"/circuits/{Uri.EscapeDataString(name)}/reset"),
            _ => null,
        };
        if (request is null)
        {
            await error.WriteLineAsync(Usage);
            return 64; // EX_USAGE
        }

        using var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(15) };
        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            await (response.IsSuccessStatusCode ? output : error).WriteLineAsync(body);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"smtp-proxy admin: cannot reach {baseUrl}: {ex.Message}");
            return 69; // EX_UNAVAILABLE
        }
    }
}
