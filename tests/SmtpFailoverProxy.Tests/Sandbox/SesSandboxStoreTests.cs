using System.Text.Json;
using SmtpFailoverProxy.Sandbox;

namespace SmtpFailoverProxy.Tests.Sandbox;

public sealed class SesSandboxStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "sfp-unit", Guid.NewGuid().ToString("N"));

    [Fact]
    public void A_saved_message_is_its_exact_eml_and_its_json_envelope_with_no_partial_file_left()
    {
        var store = new SesSandboxStore(_folder);
        var raw = "Subject: x\r\n\r\nbody\r\n"u8.ToArray();

        store.Save("a-sandbox", raw, """{"MessageId":"a-sandbox","Size":19}"""u8);
        store.Save("b-sandbox", raw, """{"MessageId":"b-sandbox","Size":19}"""u8);

        Assert.Equal(raw, File.ReadAllBytes(Path.Combine(_folder, "a-sandbox.eml")));
        Assert.Equal(["a-sandbox.eml", "a-sandbox.json", "b-sandbox.eml", "b-sandbox.json"],
            Directory.EnumerateFiles(_folder).Select(Path.GetFileName).Order());
        var envelopes = JsonDocument.Parse(store.EnvelopesJson()).RootElement;
        Assert.Equal(["a-sandbox", "b-sandbox"], envelopes.EnumerateArray().Select(e => e.GetProperty("MessageId").GetString()));
    }

    [Fact]
    public void Saving_under_an_id_already_stored_fails_and_leaves_the_stored_message_as_it_was()
    {
        var store = new SesSandboxStore(_folder);
        store.Save("a-sandbox", "first"u8, """{"MessageId":"a-sandbox"}"""u8);

        Assert.ThrowsAny<IOException>(() => store.Save("a-sandbox", "second"u8, """{"MessageId":"a-sandbox","Second":true}"""u8));

        Assert.Equal("first", File.ReadAllText(Path.Combine(_folder, "a-sandbox.eml")));
        Assert.Equal("""{"MessageId":"a-sandbox"}""", File.ReadAllText(Path.Combine(_folder, "a-sandbox.json")));
    }

    [Fact]
    public void Clearing_deletes_the_stored_messages_and_keeps_a_send_still_being_written()
    {
        var store = new SesSandboxStore(_folder);
        store.Save("a-sandbox", "a"u8, """{"MessageId":"a-sandbox"}"""u8);
        // A send in flight: its .eml is written, its envelope not yet renamed into place.
        File.WriteAllText(Path.Combine(_folder, "b-sandbox.eml"), "b");
        File.WriteAllText(Path.Combine(_folder, "b-sandbox.partial"), """{"MessageId":"b-sandbox"}""");

        store.Clear();

        Assert.Equal(["b-sandbox.eml", "b-sandbox.partial"], Directory.EnumerateFiles(_folder).Select(Path.GetFileName).Order());
        Assert.Equal("[]", store.EnvelopesJson());
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
