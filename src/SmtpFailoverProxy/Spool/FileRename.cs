using System.Runtime.InteropServices;

namespace SmtpFailoverProxy.Spool;

/// <summary>
/// rename(2) and nothing else. <see cref="File.Move(string, string, bool)"/> first checks both paths with
/// three lstat calls, which together cost more than the rename itself (the spool's hot path once renamed
/// every message twice; now only state files and quarantined slots are renamed).
/// </summary>
internal static partial class FileRename
{
    private const int NoSuchFile = 2; // ENOENT, the same on Linux and macOS.

    /// <summary>Moves <paramref name="source"/> to <paramref name="destination"/>, replacing it if it exists.</summary>
    /// <exception cref="FileNotFoundException"><paramref name="source"/> does not exist.</exception>
    /// <exception cref="IOException">Any other failure, with its errno.</exception>
    public static void Move(string source, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            File.Move(source, destination, overwrite: true);
            return;
        }

        if (Rename(source, destination) == 0) return;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == NoSuchFile) throw new FileNotFoundException($"rename: {source} does not exist", source);
        throw new IOException($"rename({source}, {destination}) failed: errno {errno}");
    }

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string source, string destination);
}
