using System.Text.Json;

namespace OsteoML.Tests.Support;

/// <summary>
/// A throwaway PACS for one test: Debian's Orthanc 1.10 with its DICOMweb plugin, authentication on with a random user,
/// remote access off, no DICOM listener, started by a bash script that runs inside a private network namespace
/// (<c>unshare -rn</c>, loopback only) together with the osteoml processes the test starts — Orthanc binds every interface
/// whatever its configuration, so nothing listens on the machine's. Instances reach it through Orthanc's own REST API
/// (<see cref="Upload"/>), never through our client.
/// </summary>
internal sealed class OrthancSandbox
{
    // A fresh network namespace has every port free; the number only has to be stable within the test.
    public const int Port = 28042;

    private OrthancSandbox(string work)
    {
        Work = work;
        User = "u" + Guid.NewGuid().ToString("N")[..8];
        Password = Guid.NewGuid().ToString("N");
        File.WriteAllText(Path.Combine(work, "orthanc.json"), JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["Name"] = "osteoml-test",
            ["StorageDirectory"] = Path.Combine(work, "db"),
            ["IndexDirectory"] = Path.Combine(work, "db"),
            ["HttpPort"] = Port,
            ["DicomServerEnabled"] = false,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = true,
            ["RegisteredUsers"] = new Dictionary<string, string> { [User] = Password },
            ["OverwriteInstances"] = true,
            ["Plugins"] = new[] { "/usr/share/orthanc/plugins/libOrthancDicomWeb.so" },
            ["DicomWeb"] = new Dictionary<string, object> { ["Enable"] = true, ["Root"] = "/dicom-web/" },
        }));
        CredentialsFile = Path.Combine(work, "credentials");
        File.WriteAllText(CredentialsFile, $"{User}:{Password}\n");
    }

    public static OrthancSandbox Create(string work) => new(work);

    public string Work { get; }
    public string User { get; }
    public string Password { get; }

    /// <summary>user:password for <c>OSTEOML_DICOMWEB_CREDENTIALS_FILE</c>.</summary>
    public string CredentialsFile { get; }

    public static string Rest => $"http://127.0.0.1:{Port}";
    public static string DicomWebRoot => $"{Rest}/dicom-web";

    /// <summary>The osteoml command as the script runs it (the test build's own osteoml.dll).</summary>
    public static string Cli => $"dotnet '{Path.Combine(AppContext.BaseDirectory, "osteoml.dll")}'";

    /// <summary>A bash line that uploads every file of a folder with Orthanc's REST API.</summary>
    public string Upload(string folder) =>
        $"for f in '{folder}'/*; do curl -sf -u '{User}:{Password}' --data-binary @\"$f\" {Rest}/instances > /dev/null; done";

    /// <summary>A bash expression printing how many instances Orthanc holds.</summary>
    public string InstanceCount =>
        $"$(curl -sf -u '{User}:{Password}' {Rest}/instances | /usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')";

    /// <summary>
    /// Runs <paramref name="body"/> (bash, <c>set -e</c>) in the sandbox's folder after Orthanc answers, with
    /// <c>OSTEOML_DICOMWEB_CREDENTIALS_FILE</c> set; Orthanc is stopped when the script ends.
    /// </summary>
    public ExternalTool.Result Run(string body, TimeSpan timeout)
    {
        var script = $$"""
            set -e
            cd '{{Work}}'
            ip link set lo up
            Orthanc orthanc.json > orthanc.log 2>&1 &
            pid=$!
            trap 'kill $pid' EXIT
            for i in $(seq 1 150); do curl -sf -u '{{User}}:{{Password}}' {{Rest}}/system > /dev/null && break; sleep 0.2; done
            export OSTEOML_DICOMWEB_CREDENTIALS_FILE='{{CredentialsFile}}'
            {{body}}
            """;
        File.WriteAllText(Path.Combine(Work, "run.sh"), script);
        return ExternalTool.Run("unshare", ["-rn", "bash", Path.Combine(Work, "run.sh")], timeout: timeout);
    }

    /// <summary>The end of Orthanc's log, for an assertion message.</summary>
    public string LogTail()
    {
        var path = Path.Combine(Work, "orthanc.log");
        var log = File.Exists(path) ? File.ReadAllText(path) : "";
        return log[Math.Max(0, log.Length - 2000)..];
    }
}
