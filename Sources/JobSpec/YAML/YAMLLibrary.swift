internal import CYAML

/// Facts about the C libraries JobSpec uses.
public enum JobSpecLibrary {
    /// libyaml's version, e.g. `0.2.5`.
    public static var yamlVersion: String { String(cString: yaml_get_version_string()) }
}
