/** Why an AMD tool cannot monitor this machine; none of these is fixed by retrying. */
export type AmdFailureKind = 'no-permission' | 'no-driver' | 'no-device' | 'no-library';

export interface AmdFailure {
  readonly kind: AmdFailureKind;
  /** One sentence for a person: what is wrong and what to do, with the tool's own line. */
  readonly message: string;
}

interface Rule {
  readonly kind: AmdFailureKind;
  readonly pattern: RegExp;
  readonly advice: (tool: string) => string;
}

// Each pattern is a message amd-smi or rocm-smi really prints; the fixtures' READMEs cite where from.
const RULES: readonly Rule[] = [
  {
    kind: 'no-permission',
    pattern:
      /missing the following required groups|Permission needed to access required GPU device node|\/dev\/(?:kfd|dri\/\S+)\S*:? Permission denied|Unable to open \/dev\/kfd|AMDSMI_STATUS_NO_PERM|RSMI_STATUS_PERMISSION|ROCm SMI returned 4 \(/i,
    advice: (tool) =>
      `${tool} cannot open the GPU device files (/dev/kfd, /dev/dri/renderD*): this user is not in the video and render groups. ` +
      'Add it with "sudo usermod -aG video,render $USER" and log in again',
  },
  {
    kind: 'no-driver',
    pattern: /Drivers? not (?:loaded|initialized)|amdgpu not found in modules|AMDSMI_STATUS_DRIVER_NOT_LOADED|ROCk module is NOT loaded/i,
    advice: () => 'the amdgpu kernel driver is not loaded on this machine ("sudo modprobe amdgpu", or install the ROCm driver)',
  },
  {
    kind: 'no-device',
    pattern: /Unable to detect any GPU devices|No DRM devices available|No AMD GPUs specified|Can not find a device: GPU|No GPU devices/i,
    advice: () => 'no AMD GPU found on this machine',
  },
  {
    kind: 'no-library',
    pattern: /Unable to load the rocm_smi library|Unable to find librocm_smi64|No module named '?amdsmi|libamd_smi\.so/i,
    advice: (tool) => `${tool} is installed but cannot load its ROCm library (set LD_LIBRARY_PATH or reinstall ROCm)`,
  },
];

/**
 * Recognises what amd-smi and rocm-smi print when they cannot work here: no permission on the
 * device files, no amdgpu driver, no AMD GPU, a broken install. Null for anything else (a
 * transient failure worth retrying). rocm-smi exits 0 after "Driver not initialized", so callers
 * look at the output whatever the exit code.
 */
export function classifyAmdFailure(tool: string, output: string): AmdFailure | null {
  for (const rule of RULES) {
    const m = rule.pattern.exec(output);
    if (!m) continue;
    // The line naming a device file says most; else the first line that matched.
    const lines = output.split(/\r?\n/).filter((l) => rule.pattern.test(l));
    const line = (lines.find((l) => l.includes('/dev/')) ?? lines[0] ?? m[0]).trim();
    return { kind: rule.kind, message: `${rule.advice(tool)} (${tool}: ${line.replace(/^(?:ERROR|WARNING):(?:root:)?\s*/, '').slice(0, 160)})` };
  }
  return null;
}
