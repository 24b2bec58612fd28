use super::Run;
use crate::cli::{InitArgs, InitShell};
use crate::error::Result;
use crate::util::print_bytes;

const BASH: &str = include_str!("../../shell/swop.bash");
const ZSH: &str = include_str!("../../shell/swop.zsh");
const FISH: &str = include_str!("../../shell/swop.fish");

impl Run for InitArgs {
    fn run(&self) -> Result<()> {
        let template = match self.shell {
            InitShell::Bash => BASH,
            InitShell::Zsh => ZSH,
            InitShell::Fish => FISH,
        };
        let exe = std::env::current_exe()
            .ok()
            .and_then(|p| p.into_os_string().into_string().ok())
            .unwrap_or_else(|| "swop".to_string());
        let quoted = match self.shell {
            InitShell::Fish => {
                String::from_utf8_lossy(&crate::shell::fish_quote(exe.as_bytes())).into_owned()
            }
            _ => String::from_utf8_lossy(&crate::shell::posix_quote(exe.as_bytes())).into_owned(),
        };
        print_bytes(template.replace("@SWOP_EXE@", &quoted).as_bytes())
    }
}
