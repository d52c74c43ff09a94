using SmtpFailoverProxy.Hosting;
using SmtpFailoverProxy.Sandbox;

namespace SmtpFailoverProxy.Tests.Sandbox;

public sealed class SandboxCommandLineTests
{
    [Fact]
    public void Without_options_the_ports_and_folder_are_the_ones_the_README_names()
    {
        var line = SandboxCommandLine.Parse([]);

        Assert.Equal(new SandboxEnvironment.Ports(2525, 8025, 4566, 2526), line.Ports);
        Assert.Equal("./sandbox", line.Folder);
        Assert.Empty(line.ProxyArguments);
    }

    [Fact]
    public void Each_port_and_the_folder_can_be_set_and_configuration_passes_through_in_order()
    {
        var line = SandboxCommandLine.Parse(
            ["--Smtp:MaxRecipients=5", "--ses-port", "14566", "--smtp-port", "12525", "--gmail-port", "12526", "--admin-port", "18025", "--folder", "/tmp/box", "--Spool:RetryMaxDelay=00:01:00"]);

        Assert.Equal(new SandboxEnvironment.Ports(12525, 18025, 14566, 12526), line.Ports);
        Assert.Equal("/tmp/box", line.Folder);
        Assert.Equal(["--Smtp:MaxRecipients=5", "--Spool:RetryMaxDelay=00:01:00"], line.ProxyArguments);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("-1")]
    [InlineData("25a")]
    [InlineData(" 25")]
    public void A_port_outside_1_to_65535_is_a_usage_error_naming_the_option(string value)
    {
        var ex = Assert.Throws<UsageException>(() => SandboxCommandLine.Parse(["--gmail-port", value]));

        Assert.Equal($"sandbox --gmail-port: '{value}' is not a port (1 to 65535)", ex.Message);
    }

    [Theory]
    [InlineData("--smtp-port")]
    [InlineData("--folder")]
    public void An_option_without_its_value_is_a_usage_error_naming_it(string option)
    {
        var ex = Assert.Throws<UsageException>(() => SandboxCommandLine.Parse(["--Smtp:MaxRecipients=5", option]));

        Assert.Equal($"sandbox {option}: a value is missing", ex.Message);
    }
}
