namespace OsteoML.Dicom.Web;

/// <summary>
/// HTTP basic credentials for a DICOMweb server, from the environment — never from the command line, where other users
/// of the machine see them (ps) and shells keep them (history): <c>OSTEOML_DICOMWEB_USER</c> and
/// <c>OSTEOML_DICOMWEB_PASSWORD</c>, or <c>OSTEOML_DICOMWEB_CREDENTIALS_FILE</c> naming a file that holds <c>user:password</c>.
/// </summary>
public sealed record DicomWebCredentials(string User, string Password)
{
    public const string UserVariable = "OSTEOML_DICOMWEB_USER", PasswordVariable = "OSTEOML_DICOMWEB_PASSWORD", FileVariable = "OSTEOML_DICOMWEB_CREDENTIALS_FILE";

    /// <summary>The credentials the environment gives, or null when it gives none (an open server).</summary>
    public static DicomWebCredentials? FromEnvironment()
    {
        if (Environment.GetEnvironmentVariable(FileVariable) is { Length: > 0 } file)
        {
            var text = File.ReadAllText(file).Trim();
            var colon = text.IndexOf(':');
            return colon > 0 ? new DicomWebCredentials(text[..colon], text[(colon + 1)..])
                : throw new InvalidDataException($"{file} ({FileVariable}): expected one line 'user:password'.");
        }
        var user = Environment.GetEnvironmentVariable(UserVariable);
        return string.IsNullOrEmpty(user) ? null : new DicomWebCredentials(user, Environment.GetEnvironmentVariable(PasswordVariable) ?? "");
    }

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"{User}:***";
}
