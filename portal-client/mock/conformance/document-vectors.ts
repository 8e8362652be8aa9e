// The test vectors of PROTOCOL.md §10, as the document gives them, so that the kit can check a
// build of the protocol module where the document is not at hand (a device image). The
// conformance test fails when this copy and the document differ.
import type { VectorInputs, VectorOutputs } from '../../protocol/vectors.js';

export interface DocumentVectors {
  inputs: VectorInputs;
  sm2: { authorizeSessionKey: string; authorizeSignature: string; authorizeSigningText: string };
  expected: VectorOutputs;
}

export const DOCUMENT_VECTORS: DocumentVectors = {
  inputs: {
    devicePrivateKey: '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8',
    portalPrivateKey: '128b2fa8bd433c6c068c8d803dff79792a519a55171b1b650c23661d15897263',
    deviceId: 'WX-GATE-0001',
    appId: 'pg-demo-app',
    appSecret: 'demo-app-secret-0001',
    sessionSecret: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
    token: 'dG9rZW4tZm9yLXRlc3QtdmVjdG9ycw',
    authorize: {
      ts: 1767225600000,
      nonce: '00112233445566778899aabbccddeeff',
    },
    request: {
      ts: 1767225601000,
      nonce: 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf',
      iv: '0f0e0d0c0b0a09080706050403020100',
      body: {
        code: 'PGC1.test-vector-not-a-real-code',
      },
    },
    response: {
      ts: 1767225601050,
      nonce: 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf',
      iv: '101112131415161718191a1b1c1d1e1f',
      body: {
        ok: true,
        result: {
          opinion: 'PASS',
          maskedName: '*三',
          maskedId: '3****************X',
          nat: {
            validityHours: 48,
            valid: true,
          },
        },
      },
    },
    idCardRequest: {
      ts: 1767225602000,
      nonce: 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecf',
      iv: '202122232425262728292a2b2c2d2e2f',
      body: {
        cardType: 'resident',
        name: '张三',
        idNumber: '11010519491231002X',
      },
    },
  },
  sm2: {
    authorizeSessionKey:
      '04fdc668df0fb0b9e800a1775a8567bec7b517e46942ff8b1d3fbc4f35dc19f0c0ff3193e33e05aa5a5795f4eb0040046ed0cbbd87ea7d9afccd42f1a673d01a27bfaafca3c8fda1d374751b54bce0da104c4b557db7865f72a2b53456b91b6b91589fb958f3bd40da071f50bbb4a0c7ad28b56fcb55f998d2240303198e241fda',
    authorizeSignature:
      '3045022100a83fb88914e41a09828a72a36bcf651f0566745f0ebea56401e48d6e0207d75502206504e24d029caa1dd291e03dbbf73e6674084df99d9fa39be8d9716e77ad183e',
    authorizeSigningText:
      'passgate/v1\nauthorize\nWX-GATE-0001\npg-demo-app\n1767225600000\n00112233445566778899aabbccddeeff\n04fdc668df0fb0b9e800a1775a8567bec7b517e46942ff8b1d3fbc4f35dc19f0c0ff3193e33e05aa5a5795f4eb0040046ed0cbbd87ea7d9afccd42f1a673d01a27bfaafca3c8fda1d374751b54bce0da104c4b557db7865f72a2b53456b91b6b91589fb958f3bd40da071f50bbb4a0c7ad28b56fcb55f998d2240303198e241fda',
  },
  expected: {
    devicePublicKey:
      '0409f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13',
    portalPublicKey:
      '04d5548c7825cbb56150a3506cd57464af8a1ae0519dfaf3c58221dc810caf28dd921073768fe3d59ce54e79a49445cf73fed23086537027264d168946d479533e',
    keys: {
      requestEncryption: '543dfb63b6221c2c413cd751cc1ffdb8',
      requestMac: 'f39884c36f035a978e7c36484c5fcf8cd5a5c885cb39f46ce65f3ad8f79b646c',
      responseEncryption: 'f8efce9123aaf31941b0b28a3b66fc5f',
      responseMac: '8173d62713c5d2dd95a9f12febb0a8925ebed59aa40ba65a33d503e64c369fb9',
    },
    authorizeAppMac: '1c1e38bb14770713cc94345d96723952251ec7feaa6e43f099cb1f84923de2bf',
    requestMacText:
      'PG1-REQ\nv1\n/passgate/v1/verify/pass-code\ndG9rZW4tZm9yLXRlc3QtdmVjdG9ycw\n1767225601000\na0a1a2a3a4a5a6a7a8a9aaabacadaeaf\n0f0e0d0c0b0a09080706050403020100\nlQBxdeC8HspPRb7XuIXKPjf6VaygMiOUFUqDdnFbWJVPzy6wIQmfeVjkDMf12ttp',
    requestEnvelope: {
      v: 1,
      ts: 1767225601000,
      nonce: 'a0a1a2a3a4a5a6a7a8a9aaabacadaeaf',
      iv: '0f0e0d0c0b0a09080706050403020100',
      ct: 'lQBxdeC8HspPRb7XuIXKPjf6VaygMiOUFUqDdnFbWJVPzy6wIQmfeVjkDMf12ttp',
      mac: '0cd4f14058eed18ce4b6dcc03a87cf845d7194dd39057a2de2847209a162485b',
    },
    requestAuthorization: 'PG1 dG9rZW4tZm9yLXRlc3QtdmVjdG9ycw',
    responseEnvelope: {
      v: 1,
      ts: 1767225601050,
      nonce: 'b0b1b2b3b4b5b6b7b8b9babbbcbdbebf',
      iv: '101112131415161718191a1b1c1d1e1f',
      ct: 'HqIHs2j1QMg5Sv3EAPQ0ADwUfMJn5LIG9Uui3YVtyJoVxqqJN/7gO4j7iTDDoqx2+BAGB0NvmjiMVR/2FWEqH0srp7AYgZI0Y1ZMBN8g9g344HP9s12Ww902z5VGoLvnnndHCxFSWc9Rl+bm31bUakGlxRYUjILS99ijZDS2CcPPb5Qy80fPBYTDT6l9bgZr',
      mac: '144e0be02c6b4c736f37832f041e58301bff9f7ebb31dfe3ac03159179194675',
    },
    idCardRequestEnvelope: {
      v: 1,
      ts: 1767225602000,
      nonce: 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecf',
      iv: '202122232425262728292a2b2c2d2e2f',
      ct: 'N/ZtsGPGIyhzY5aaeg39WHd+7+Opp0d7FE/O0Px3keAHGsIvfYBKMeUkwKQ3oDL3JVA2/Dmc1t4Yv11vAxCXYlHdWhF1ro6GtO2fSMmHX4c=',
      mac: '341af586c0220668f2fe39c17108d5c0de6624fb577aeea3477edb21515a2f54',
    },
  },
};
