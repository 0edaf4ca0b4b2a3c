using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace AlertHealer.Tests.Policies;

// A ConfigMap mounted as a directory, laid out as the kubelet lays it out: the file is a
// symlink through ..data, and an update writes a new timestamped folder and swaps ..data.
public sealed partial class ConfigMapVolume
{
    public const string FileName = "policies.json";
    private int _version;

    public ConfigMapVolume(string directory, string content)
    {
        Directory = System.IO.Directory.CreateDirectory(Path.Combine(directory, "policies")).FullName;
        Write(content);
        File.CreateSymbolicLink(FilePath, Path.Combine("..data", FileName));
    }

    public string Directory { get; }
    public string FilePath => Path.Combine(Directory, FileName);

    public void Update(string content) => Write(content);

    private void Write(string content)
    {
        var version = $"..2026_11_28_13_00_00.{++_version}";
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, version));
        File.WriteAllText(Path.Combine(Directory, version, FileName), content);
        var swap = Path.Combine(Directory, "..data_tmp");
        File.CreateSymbolicLink(swap, version);
        // rename(2) over the old link, as the kubelet does: readers see the old file or the new
        // one, never neither. (File.Move refuses a link to a folder.)
        if (Rename(swap, Path.Combine(Directory, "..data")) != 0) throw new IOException($"rename failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename(string from, string to);

    // The whisker policy as the shipped one, without the Loki re-check.
    public static JsonObject Whisker(Action<JsonObject>? edit = null)
    {
        var policy = JsonNode.Parse("""
            {
              "Match": { "alertname": "WhiskerBackendWedged" },
              "Mode": "Enforce",
              "Dependency": { "Namespace": "calico-system", "Selector": "k8s-app=goldmane", "MinReadyFor": "00:01:00" },
              "Target": { "Namespace": "calico-system", "Selector": "k8s-app=whisker" },
              "Cooldown": "00:10:00", "MaxCooldown": "02:00:00", "MaxAttempts": 3, "VerifyTimeout": "00:03:00"
            }
            """)!.AsObject();
        edit?.Invoke(policy);
        return policy;
    }

    public static JsonObject Other() => JsonNode.Parse("""
        {
          "Match": { "alertname": "GoldmaneStuck" },
          "Target": { "Namespace": "calico-system", "Selector": "k8s-app=goldmane" }
        }
        """)!.AsObject();

    public static string FileOf(params (string Name, JsonObject Policy)[] policies)
    {
        var set = new JsonObject();
        foreach (var (name, policy) in policies) set[name] = policy;
        return new JsonObject { ["AlertHealer"] = new JsonObject { ["Policies"] = set } }.ToJsonString();
    }
}
