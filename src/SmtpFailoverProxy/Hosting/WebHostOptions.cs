namespace SmtpFailoverProxy.Hosting;

/// <summary>What the ASP.NET Core host starts from, for the proxy and the sandbox alike.</summary>
internal static class WebHostOptions
{
    /// <summary>
    /// The working folder as content root, and no reload watch on the host's own <c>appsettings.json</c>:
    /// that watch covers the whole content root tree, which holds the spool by default (<c>./spool</c>),
    /// so it woke the process twice for every message spooled. Our configuration file has its own
    /// watch on just that file (<see cref="ProxyConfiguration"/>); the host's sources are cleared anyway.
    /// </summary>
    public static WebApplicationOptions Create() => new()
    {
        Args = ["--hostBuilder:reloadConfigOnChange=false"],
        ContentRootPath = Directory.GetCurrentDirectory(),
    };
}
