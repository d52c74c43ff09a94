using System.Globalization;
using SmtpFailoverProxy.Hosting;

namespace SmtpFailoverProxy.Sandbox;

/// <summary>
/// <c>smtp-proxy sandbox</c>'s own options: the four loopback ports and the folder mail lands in. Every
/// other argument is configuration for the proxy (<c>--Section:Key=value</c>) and passes through.
/// </summary>
/// <param name="Ports">Where the proxy, its admin API, the SES sandbox and the Gmail stand-in listen.</param>
/// <param name="Folder">Where the sandbox keeps mail, spool and state.</param>
/// <param name="ProxyArguments">The remaining arguments, for the proxy's configuration.</param>
internal sealed record SandboxCommandLine(SandboxEnvironment.Ports Ports, string Folder, string[] ProxyArguments)
{
    /// <summary>The ports the README names: SMTP 2525, admin 8025, SES 4566, Gmail stand-in 2526.</summary>
    public static readonly SandboxEnvironment.Ports DefaultPorts = new(2525, 8025, 4566, 2526);

    public const string DefaultFolder = "./sandbox";

    /// <exception cref="UsageException">An option without a value, or a port outside 1 to 65535.</exception>
    public static SandboxCommandLine Parse(IReadOnlyList<string> args)
    {
        var ports = DefaultPorts;
        var folder = DefaultFolder;
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--smtp-port":
                    ports = ports with { Smtp = Port(args, ++i) };
                    break;
                case "--admin-port":
                    ports = ports with { Admin = Port(args, ++i) };
                    break;
                case "--ses-port":
                    ports = ports with { Ses = Port(args, ++i) };
                    break;
                case "--gmail-port":
                    ports = ports with { Gmail = Port(args, ++i) };
                    break;
                case "--folder":
                    folder = Value(args, i, ++i);
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        return new SandboxCommandLine(ports, folder, [.. rest]);
    }

    private static int Port(IReadOnlyList<string> args, int index)
    {
        var text = Value(args, index - 1, index);
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535) return port;
        throw new UsageException($"sandbox {args[index - 1]}: '{text}' is not a port (1 to 65535)");
    }

    private static string Value(IReadOnlyList<string> args, int optionIndex, int index) =>
        index < args.Count && !string.IsNullOrEmpty(args[index])
            ? args[index]
            : throw new UsageException($"sandbox {args[optionIndex]}: a value is missing");
}
