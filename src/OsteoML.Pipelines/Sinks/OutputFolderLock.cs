using System.Globalization;

namespace OsteoML.Pipelines.Sinks;

/// <summary>
/// One writer per output folder: two <c>batch</c> runs on one <c>--out</c> would interleave lines in results.jsonl.
/// The lock is an exclusive advisory lock (flock on Unix, a share-none handle on Windows) on <c>OUT/.osteoml-lock</c>,
/// held for the run; the kernel drops it when the process dies, so a killed run never leaves a stale lock. Who holds
/// it (PID, host, start time) is written beside it in <c>OUT/.osteoml-lock.holder</c>, which the refused run quotes.
/// </summary>
public sealed class OutputFolderLock : IDisposable
{
    public const string LockFile = ".osteoml-lock", HolderFile = ".osteoml-lock.holder";

    private readonly FileStream _handle;
    private readonly string _holderPath;

    private OutputFolderLock(FileStream handle, string holderPath) => (_handle, _holderPath) = (handle, holderPath);

    /// <param name="holderKind">What kind of run holds such a folder, for the refusal ("batch run", "watch").</param>
    /// <param name="option">The option that names another folder, for the refusal.</param>
    /// <exception cref="IOException">Another process holds the folder; the message names it.</exception>
    public static OutputFolderLock Acquire(string directory, string holderKind = "batch run", string option = "--out")
    {
        var lockPath = Path.Combine(directory, LockFile);
        var holderPath = Path.Combine(directory, HolderFile);
        FileStream handle;
        try
        {
            handle = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            string holder;
            try { holder = File.ReadAllText(holderPath).Trim(); }
            catch (IOException) { holder = "another process"; }
            throw new IOException($"{directory}: in use by another {holderKind} ({(holder.Length > 0 ? holder : "another process")}); wait for it to finish or use another {option}.");
        }
        var text = string.Create(CultureInfo.InvariantCulture,
            $"PID {Environment.ProcessId} on {Environment.MachineName}, started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");
        File.WriteAllText(holderPath, text + "\n");
        return new OutputFolderLock(handle, holderPath);
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try { File.Delete(_holderPath); }
        catch (IOException) { /* the next holder rewrites it */ }
        _handle.Dispose();
    }
}
