using System.Diagnostics;

namespace SmtpFailoverProxy.Tests;

/// <summary>Waits for a condition another thread makes true, with a deadline, instead of sleeping a guessed time.</summary>
internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < deadline, $"not true within {deadline}");
            await Task.Delay(10);
        }
    }
}
