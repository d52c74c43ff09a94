namespace SmtpFailoverProxy.Configuration;

/// <summary>The admin HTTP API. Section <c>Admin</c>.</summary>
public sealed class AdminOptions
{
    /// <summary>Address and port of the admin API. <value>The default value is <c>127.0.0.1:8025</c>.</value></summary>
    public string Listen { get; set; } = "127.0.0.1:8025";

    internal System.Net.IPEndPoint ListenEndPoint => EndPointParser.Parse(Listen, "Admin:Listen");

    internal void Validate() => _ = ListenEndPoint;
}
