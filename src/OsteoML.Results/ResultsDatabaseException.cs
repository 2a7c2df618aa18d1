namespace OsteoML.Results;

/// <summary>
/// The results database could not be reached or refused an operation. An <see cref="IOException"/> so the command line
/// reports it as one line naming the database (never its password) and exits 1, like any other unreachable output.
/// </summary>
public sealed class ResultsDatabaseException(string message, Exception? inner = null) : IOException(message, inner);
