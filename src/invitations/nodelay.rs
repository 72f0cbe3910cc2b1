//! TCP_NODELAY on the SMTP connection. lettre 0.11.23 leaves Nagle's algorithm on, and it
//! writes a message's data, then `\r\n.\r\n` in a second write: Nagle holds those five bytes
//! until the server acknowledges the data, which a server delays by 40 ms. That made every
//! message cost ~45 ms on one connection (about 20 a second, however fast the server).
//! lettre sets the option itself from its PR #1159 on, which no release has yet; until then
//! the sender finds its connection among the process's descriptors by the server's address
//! and sets the option on it, and only that. Remove this file with a lettre that sets it.

use std::net::SocketAddr;

/// Sets TCP_NODELAY on this process's TCP connections to one of `peers`; how many.
#[cfg(unix)]
pub fn set_on_connections_to(peers: &[SocketAddr]) -> usize {
    use std::mem::ManuallyDrop;
    use std::net::TcpStream;
    use std::os::fd::FromRawFd;
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return 0;
    };
    let mut set = 0;
    for entry in entries.flatten() {
        let Some(fd) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        // SAFETY: the descriptor is borrowed, never closed (ManuallyDrop); on a descriptor that
        // is not a connected socket (a file, a listener, one closed meanwhile) `peer_addr`
        // fails and nothing is done.
        let stream = ManuallyDrop::new(unsafe { TcpStream::from_raw_fd(fd) });
        if stream.peer_addr().is_ok_and(|p| peers.contains(&p)) && stream.set_nodelay(true).is_ok()
        {
            set += 1;
        }
    }
    set
}

#[cfg(not(unix))]
pub fn set_on_connections_to(_peers: &[SocketAddr]) -> usize {
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};

    #[test]
    fn only_the_connections_to_the_peer_get_the_option() {
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let other = TcpListener::bind("127.0.0.1:0").unwrap();
        let to_server = TcpStream::connect(server.local_addr().unwrap()).unwrap();
        let to_other = TcpStream::connect(other.local_addr().unwrap()).unwrap();
        assert!(!to_server.nodelay().unwrap());
        let set = set_on_connections_to(&[server.local_addr().unwrap()]);
        assert!(set >= 1, "{set}");
        assert!(to_server.nodelay().unwrap());
        assert!(!to_other.nodelay().unwrap());
    }
}
