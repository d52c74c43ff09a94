using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using SmtpFailoverProxy.Configuration;

namespace SmtpFailoverProxy.Hosting;

/// <summary>
/// Where configuration comes from, lowest precedence first: the JSON file (<c>--config PATH</c>, default
/// <c>./smtp-proxy.json</c>, comments allowed), the seed's flat variables (EMAIL_PROVIDER, ...), variables
/// prefixed <c>SMTPPROXY_</c> (<c>SMTPPROXY_Smtp__Listen</c>), then <c>--Section:Key=value</c> arguments.
/// </summary>
internal static class ProxyConfiguration
{
    public const string DefaultFile = "smtp-proxy.json";

    public static void AddSources(IConfigurationBuilder builder, IReadOnlyList<string> args)
    {
        var rest = new List<string>();
        string? file = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--config")
            {
                if (i + 1 >= args.Count) throw new ConfigurationException("--config", "needs a file path");
                file = args[++i];
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                file = args[i]["--config=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        if (file is not null && !File.Exists(file)) throw new ConfigurationException("--config", $"file '{file}' not found");
        var path = Path.GetFullPath(file ?? DefaultFile);
        builder.AddJsonFile(source =>
        {
            // Poll the one file (every 4 s) instead of an inotify watch: the default watches the file's whole
            // folder tree, which holds the spool, and would wake for every message written.
            source.FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(path)!, ExclusionFilters.None)
            {
                UsePollingFileWatcher = true,
                UseActivePolling = true,
            };
            source.Path = Path.GetFileName(path);
            source.Optional = file is null;
            source.ReloadOnChange = true;
        });
        builder.AddInMemoryCollection(SeedEnvironmentVariables.Read(Environment.GetEnvironmentVariable));
        builder.AddEnvironmentVariables("SMTPPROXY_");
        builder.AddCommandLine(rest.ToArray());
    }
}
