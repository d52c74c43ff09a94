namespace SmtpFailoverProxy.Configuration;

/// <summary>Where circuit and quota state is kept. Section <c>State</c>.</summary>
public sealed class StateOptions
{
    /// <summary>Folder of the state files. <value>The default value is <c>./state</c>.</value></summary>
    public string Path { get; set; } = "./state";

    internal void Validate() =>
        ConfigurationException.ThrowIf(string.IsNullOrWhiteSpace(Path), "State:Path", "must name a folder");
}
