using System.Security.Cryptography;
using System.Text;

namespace OsteoML.Pipelines.Studies;

/// <summary>
/// Links a patient's studies without carrying the patient's identifier: the key is HMAC-SHA256 of the DICOM PatientID
/// under a secret only the site holds, so the same patient gets the same key on every study while someone with the
/// results but not the secret can neither read the ID back nor test a guessed ID against it (a plain hash could be
/// reversed by hashing every ID of the hospital's format). The secret comes from <see cref="EnvironmentVariable"/> or a
/// file named by <see cref="FileEnvironmentVariable"/>; without one, results carry no key and <c>osteoml trend</c> says so.
/// </summary>
public sealed class PatientKeyer
{
    public const string EnvironmentVariable = "OSTEOML_PATIENT_KEY";
    public const string FileEnvironmentVariable = "OSTEOML_PATIENT_KEY_FILE";

    /// <summary>A secret shorter than this is refused: a short secret can be searched for.</summary>
    public const int MinimumSecretBytes = 16;

    private readonly byte[] _secret;

    public PatientKeyer(string secret)
    {
        _secret = Encoding.UTF8.GetBytes(secret.Trim());
        if (_secret.Length < MinimumSecretBytes)
            throw new ArgumentException($"the patient key secret must hold at least {MinimumSecretBytes} bytes.", nameof(secret));
    }

    /// <summary>How to configure the key, for messages.</summary>
    public static string HowToEnable =>
        $"set {EnvironmentVariable} (a secret of at least {MinimumSecretBytes} characters, the same for every batch of the site) "
        + $"or {FileEnvironmentVariable} (a file holding it) before screening, then screen again with --redo";

    /// <summary>The keyer of the environment's secret, or null when none is configured.</summary>
    /// <exception cref="InvalidDataException">The secret is configured but unusable; the message names the variable, never the secret.</exception>
    public static PatientKeyer? FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } secret)
            return Create(secret, EnvironmentVariable);
        if (Environment.GetEnvironmentVariable(FileEnvironmentVariable) is { Length: > 0 } file)
        {
            string text;
            try { text = File.ReadAllText(file); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidDataException($"{FileEnvironmentVariable}: {file} cannot be read ({ex.Message}).");
            }
            return Create(text, $"{FileEnvironmentVariable} ({file})");
        }
        return null;
    }

    private static PatientKeyer Create(string secret, string source)
    {
        if (Encoding.UTF8.GetByteCount(secret.Trim()) < MinimumSecretBytes)
            throw new InvalidDataException($"{source}: the patient key secret holds fewer than {MinimumSecretBytes} bytes; use a longer one.");
        return new PatientKeyer(secret);
    }

    /// <summary>The patient's key (32 hex digits: 128 bits of the HMAC), or null for an empty ID (no linkage is better than a false one).</summary>
    public string? Key(string? patientId)
    {
        var id = patientId?.Trim();
        if (string.IsNullOrEmpty(id)) return null;
        var mac = HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(id));
        return Convert.ToHexStringLower(mac, 0, 16);
    }
}
