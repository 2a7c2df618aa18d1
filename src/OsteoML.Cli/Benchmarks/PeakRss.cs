using System.Globalization;

namespace OsteoML.Cli.Benchmarks;

/// <summary>
/// Peak resident memory of a process from Linux's <c>/proc/PID/status</c>: <c>VmHWM</c>, the high-water mark of
/// the resident set, in KiB ("kB" in the file).
/// </summary>
public static class PeakRss
{
    /// <summary>Bytes of <c>VmHWM</c> in the text of a status file; null when the line is absent (a kernel thread, an exited process).</summary>
    public static long? FromStatus(string statusText)
    {
        foreach (var line in statusText.Split('\n'))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
            var fields = line["VmHWM:".Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 2 || fields[1] != "kB" || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
                throw new FormatException($"/proc status: unexpected VmHWM line '{line.Trim()}'.");
            return kib * 1024;
        }
        return null;
    }

    /// <summary>The process's current <c>VmHWM</c> in bytes, or null once it has gone.</summary>
    public static long? Read(int processId)
    {
        try { return FromStatus(File.ReadAllText($"/proc/{processId}/status")); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return null; }
    }
}
