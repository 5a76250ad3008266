/** The seed data of a fresh simulated appliance (what a new SPS node looks like). */
import { randomBytes } from 'node:crypto';
import type { SimState } from './model.js';

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** An SPS-looking object id (22 hex characters, as in the doc samples). */
export const objectId = (): string => hex(11);

export function initialState(opts: { index: number }): SimState {
  const ifaceId = hex(12).slice(0, 23);
  const addrId = objectId();
  const mgmtAddrId = objectId();
  const policyA = objectId();
  const policyB = objectId();
  return {
    configuration: {
      local_services: {
        cluster: { enabled: false, listen_address: `nic1.interfaces.${ifaceId}.addresses.${addrId}` },
      },
      datetime: {
        ntp_servers: [{ selection: 'fqdn', value: 'pool.ntp.org' }],
        timezone: 'Europe/Budapest',
      },
      management: {
        system_backup: { backup_policy: policyA },
        exported_configuration_encryption: { encryption: { enabled: false, gpg_public_key: null } },
      },
      policies: {
        backup_policies: {
          [policyA]: {
            name: 'config-backup-nfs',
            include_node_id_in_path: true,
            notification_event: { type: 'all', send_filelist: true, file_count_limit: 1000 },
            target: { type: 'nfs', server: { selection: 'ip', value: '10.0.0.5' }, path: '/backup/sps' },
            start_times: ['02:30'],
          },
          [policyB]: {
            name: 'config-backup-weekly',
            include_node_id_in_path: false,
            notification_event: { type: 'errors', send_filelist: false, file_count_limit: 1000 },
            target: { type: 'nfs', server: { selection: 'fqdn', value: 'backup.example.com' }, path: '/weekly' },
            start_times: ['04:00'],
          },
        },
      },
      network: {
        nics: {
          nic1: {
            interfaces: [
              {
                id: ifaceId,
                name: 'default',
                vlantag: 0,
                addresses: [
                  { id: addrId, cidr: `127.0.0.1/8` },
                  { id: mgmtAddrId, cidr: `10.0.${opts.index}.10/24` },
                ],
              },
            ],
          },
          nic2: { interfaces: [] },
          nic3: { interfaces: [] },
        },
      },
    },
    cluster: { central_management: false, nodes: {}, join_request: null },
  };
}

